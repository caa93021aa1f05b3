import { ForecastError, ForecastErrorCode } from '../errors';

/** How many line numbers a problem keeps to show. */
const FIRST_LINES = 3;

interface Problem {
  code: ForecastErrorCode;
  /** What is wrong, in a few words, e.g. `cells that are not numbers in column 'OT'`. */
  what: string;
  /** What to do about it. */
  advice: string;
  count: number;
  lines: number[];
  example?: string;
}

/**
 * Collects the problems of a data file in one pass, so that all of them are reported at once: each kind once, with
 * how many rows have it, the first line numbers and an example value.
 */
export class DataProblems {
  private readonly list = new Map<string, Problem>();

  constructor(readonly where: string) {}

  /** Records one occurrence at `line` (1-based file line; 0 when it has none). */
  add(code: ForecastErrorCode, what: string, advice: string, line: number, example?: string): void {
    const key = `${code}\u0000${what}`;
    let p = this.list.get(key);
    if (!p) {
      p = { code, what, advice, count: 0, lines: [], example };
      this.list.set(key, p);
    }
    p.count++;
    if (line > 0 && p.lines.length < FIRST_LINES) p.lines.push(line);
  }

  /** Records a problem that concerns the whole file (or a count computed elsewhere). */
  addSummary(code: ForecastErrorCode, what: string, advice: string, count = 1, lines: number[] = []): void {
    const key = `${code}\u0000${what}`;
    this.list.set(key, { code, what, advice, count, lines: lines.slice(0, FIRST_LINES) });
  }

  get size(): number {
    return this.list.size;
  }

  has(code: ForecastErrorCode): boolean {
    return [...this.list.values()].some((p) => p.code === code);
  }

  /** One line per problem: `N row(s) with <what> (first at lines a, b, c: 'example'); <advice>`. */
  describe(): string[] {
    return [...this.list.values()].map((p) => {
      const at = p.lines.length
        ? ` (${p.lines.length === 1 && p.count === 1 ? 'line' : 'first at lines'} ${p.lines.join(', ')}`
        : '';
      const ex = p.example !== undefined ? `${at ? ': ' : ' ('}'${p.example.slice(0, 40)}'` : '';
      const close = at || ex ? ')' : '';
      const count = p.count > 1 || p.lines.length ? `${p.count} × ` : '';
      return `${count}${p.what}${at}${ex}${close}; ${p.advice}`;
    });
  }

  /** Throws one ForecastError listing every problem (its code is the first problem's), if there is any. */
  throwIfAny(): void {
    if (this.list.size === 0) return;
    const first = this.list.values().next().value as Problem;
    const lines = this.describe();
    const message =
      lines.length === 1
        ? `${this.where}: ${lines[0]}`
        : `${this.where}: ${lines.length} problems:\n  - ${lines.join('\n  - ')}`;
    throw new ForecastError(first.code, message);
  }
}
