/**
 * Where a process's time goes, phase by phase: wall-clock and CPU milliseconds (process.cpuUsage, every thread of
 * the process) summed per named phase. Workers record their jobs' phases with it when started with `--timings` or
 * GATEWAVE_JOBS_TIMINGS=1, and print the totals when they stop; the submitting command prints its own. Under load,
 * wall-clock time measures the other processes as much as this one; CPU time per job does not.
 */

/** True when GATEWAVE_JOBS_TIMINGS asks for per-phase timings. */
export function timingsRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.GATEWAVE_JOBS_TIMINGS;
  return v !== undefined && v !== '' && v !== '0';
}

interface PhaseTotal {
  count: number;
  wallMs: number;
  cpuMs: number;
}

const cpuMsNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Sums of wall and CPU time per phase; phases keep the order in which they were first seen. */
export class PhaseTimings {
  private readonly phases = new Map<string, PhaseTotal>();

  /** Runs `fn` and adds its wall and CPU time to `phase`. */
  async time<T>(phase: string, fn: () => T | Promise<T>): Promise<T> {
    const wall0 = performance.now();
    const cpu0 = cpuMsNow();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - wall0, cpuMsNow() - cpu0);
    }
  }

  /** A stopwatch started now: `stop()` adds the time since to `phase`. */
  start(phase: string): { stop(): void } {
    const wall0 = performance.now();
    const cpu0 = cpuMsNow();
    return { stop: () => this.add(phase, performance.now() - wall0, cpuMsNow() - cpu0) };
  }

  add(phase: string, wallMs: number, cpuMs: number): void {
    const t = this.phases.get(phase) ?? { count: 0, wallMs: 0, cpuMs: 0 };
    t.count++;
    t.wallMs += wallMs;
    t.cpuMs += cpuMs;
    this.phases.set(phase, t);
  }

  get(phase: string): Readonly<PhaseTotal> | undefined {
    return this.phases.get(phase);
  }

  /**
   * A table: per phase, how often it ran, total wall and CPU seconds, and wall and CPU ms per `perName` (e.g. per
   * job, dividing by `per`). Nested phases are listed as they are: their time is also inside the outer phase.
   */
  format(title: string, per: number, perName = 'job'): string {
    const n = Math.max(1, per);
    const lines = [
      `${title}`,
      `  ${'phase'.padEnd(26)} ${'count'.padStart(6)} ${'wall s'.padStart(9)} ${'cpu s'.padStart(9)} ${`wall ms/${perName}`.padStart(13)} ${`cpu ms/${perName}`.padStart(13)}`,
    ];
    for (const [name, t] of this.phases) {
      lines.push(
        `  ${name.padEnd(26)} ${String(t.count).padStart(6)} ${(t.wallMs / 1000).toFixed(3).padStart(9)} ${(t.cpuMs / 1000).toFixed(3).padStart(9)} ${(t.wallMs / n).toFixed(1).padStart(13)} ${(t.cpuMs / n).toFixed(1).padStart(13)}`,
      );
    }
    return lines.join('\n') + '\n';
  }
}
