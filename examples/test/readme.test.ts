import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { buildProgram as audioProgram } from '../../packages/audio/src/cli';
import { buildProgram as forecastProgram } from '../../packages/forecast/src/cli';
import { buildProgram as webProgram } from '../../packages/web/src/cli';
import { findReadmes, shellCommands, ShellCommand } from './readme-lines';

// Every command line in the READMEs' code blocks must work as written from the repository root after `npm ci`:
// gatewave commands answer `--help` through the installed bin links (npx --offline: a missing link is an error, not
// a registry lookup), and every flag they use is a flag of that command (or one of its kept aliases), with every
// required flag given; `npm run` scripts exist; `node script.js --flag` scripts exist and read those flags.
const root = path.resolve(__dirname, '..', '..');
const commands = findReadmes(root).flatMap((f) => shellCommands(path.relative(root, f), fs.readFileSync(f, 'utf8')));
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

const PROGRAMS: Record<string, () => Command> = {
  'gatewave-audio': audioProgram,
  'gatewave-forecast': forecastProgram,
  'gatewave-app': webProgram,
};

/** Which gatewave program a command runs, and its arguments. */
function gatewave(words: string[]): { bin: string; args: string[] } | null {
  if (words[0] === 'npx' && words[1] in PROGRAMS) return { bin: words[1], args: words.slice(2) };
  const m = words[0] === 'node' ? /^packages\/(audio|forecast)\/dist\/cli\.js$/.exec(words[1] ?? '') : null;
  return m ? { bin: `gatewave-${m[1]}`, args: words.slice(2) } : null;
}

function where(c: ShellCommand): string {
  return `${c.readme}:${c.line}: ${c.text}`;
}

/** Problems with the flags of a gatewave command line, read from the program itself (hidden aliases included). */
function flagProblems(bin: string, args: string[]): string[] {
  const program = PROGRAMS[bin]();
  const sub = args[0] && !args[0].startsWith('-') ? program.commands.find((c) => c.name() === args[0]) : undefined;
  if (args[0] && !args[0].startsWith('-') && !sub) return [`${bin} has no command '${args[0]}'`];
  const cmd = sub ?? program;
  const known = (flag: string) =>
    ['-h', '--help'].includes(flag) ||
    (!sub && ['-V', '--version'].includes(flag)) ||
    cmd.options.some((o) => o.long === flag || o.short === flag);
  const used = args.filter((a) => /^--?[A-Za-z]/.test(a)).map((a) => a.split('=')[0]);
  const problems = used.filter((f) => !known(f)).map((f) => `unknown flag ${f}`);
  const asksHelp = used.some((f) => ['-h', '--help', '-V', '--version'].includes(f));
  if (sub && !asksHelp) {
    const missing = cmd.options.filter(
      (o) => o.mandatory && !used.some((f) => f === o.long || f === o.short || aliasOf(cmd, f) === o.attributeName()),
    );
    problems.push(...missing.map((o) => `required flag ${o.long} missing`));
  }
  return problems;
}

function aliasOf(cmd: Command, flag: string): string | undefined {
  return cmd.options.find((o) => o.long === flag)?.attributeName();
}

test('the READMEs hold gatewave command lines for every program', () => {
  const bins = new Set(commands.map((c) => gatewave(c.words)?.bin).filter(Boolean));
  expect([...bins].sort()).toEqual(['gatewave-app', 'gatewave-audio', 'gatewave-forecast']);
});

test('every gatewave command line uses only flags of its command, with the required ones', () => {
  const problems = commands.flatMap((c) => {
    const g = gatewave(c.words);
    return g ? flagProblems(g.bin, g.args).map((p) => `${where(c)}\n  ${p}`) : [];
  });
  expect(problems).toEqual([]);
});

test('the flag check catches an unknown flag, a missing required flag and an unknown command', () => {
  expect(flagProblems('gatewave-audio', ['detect', 'x.wav', '--out', 'e.csv', '--thresold', '0.5'])).toEqual([
    'unknown flag --thresold',
  ]);
  expect(flagProblems('gatewave-audio', ['detect', 'x.wav'])).toEqual(['required flag --out missing']);
  expect(flagProblems('gatewave-forecast', ['train', '--csv', 'a.csv', '--out', 'm', '--lr', '0.01'])).toEqual([]);
  expect(flagProblems('gatewave-forecast', ['fit'])).toEqual(["gatewave-forecast has no command 'fit'"]);
});

test('every gatewave command line answers its --help form', async () => {
  const forms = new Map<string, string>();
  for (const c of commands) {
    const g = gatewave(c.words);
    if (!g) continue;
    const sub = g.args[0] && !g.args[0].startsWith('-') ? [g.args[0]] : [];
    forms.set([g.bin, ...sub].join(' '), where(c));
  }
  expect(forms.size).toBeGreaterThan(5);
  for (const [form, from] of forms) {
    const [bin, ...sub] = form.split(' ');
    let help = '';
    const program = PROGRAMS[bin]()
      .exitOverride()
      .configureOutput({ writeOut: (s) => void (help += s), writeErr: (s) => void (help += s) });
    for (const c of program.commands)
      c.exitOverride().configureOutput({ writeOut: (s) => void (help += s), writeErr: (s) => void (help += s) });
    await expect(program.parseAsync(['node', bin, ...sub, '--help'])).rejects.toMatchObject({
      code: 'commander.helpDisplayed',
      exitCode: 0,
    });
    if (!help.startsWith(`Usage: ${form}`)) throw new Error(`${form} --help (from ${from}) printed:\n${help}`);
  }
});

test('both programs answer --help and --version through their installed bins (npx, no registry lookup)', () => {
  for (const [bin, pkg] of [
    ['gatewave-audio', 'audio'],
    ['gatewave-forecast', 'forecast'],
  ]) {
    const help = spawnSync('npx', ['--offline', bin, '--help'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, GATEWAVE_BACKEND: 'cpu' },
    });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: ${bin} \\[options\\] \\[command\\]`));
    const r = spawnSync('npx', ['--offline', bin, '--version'], { cwd: root, encoding: 'utf8' });
    const version = JSON.parse(fs.readFileSync(path.join(root, 'packages', pkg, 'package.json'), 'utf8')).version;
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  }
}, 120000);

test('every npm script, node script and tool a README line runs exists (and a node script reads its flags)', () => {
  const problems: string[] = [];
  for (const c of commands) {
    const [cmd, a, b] = c.words;
    if (cmd === 'npm' && a === 'run' && !(b in rootPackage.scripts))
      problems.push(`${where(c)}\n  no npm script '${b}'`);
    if (cmd === 'npm' && a === 'test' && !rootPackage.scripts.test) problems.push(`${where(c)}\n  no npm test script`);
    if (cmd === 'npx' && !(a in PROGRAMS) && !fs.existsSync(path.join(root, 'node_modules', '.bin', a)))
      problems.push(`${where(c)}\n  npx ${a} is not installed`);
    if (cmd === 'node' && !gatewave(c.words)) {
      const file = path.join(root, a);
      if (!fs.existsSync(file)) {
        problems.push(`${where(c)}\n  ${a} does not exist`);
        continue;
      }
      const source = fs.readFileSync(file, 'utf8');
      for (const flag of c.words.slice(2).filter((w) => /^--[a-z]/.test(w))) {
        const name = flag.slice(2).split('=')[0];
        if (!source.includes(`'${name}'`) && !source.includes(`--${name}`))
          problems.push(`${where(c)}\n  ${a} never reads ${flag}`);
      }
    }
  }
  expect(problems).toEqual([]);
});

test('README lines are read as a shell would: continuations, comments, variables, && and optional brackets', () => {
  const text = [
    '```js',
    'npx gatewave-audio not-shell',
    '```',
    '```sh',
    '# a comment line',
    'A="node packages/audio/dist/cli.js"',
    '$A detect x.wav \\',
    '   --out e.csv   # trailing comment',
    'npm ci && npm run demo',
    'GATEWAVE_THREADS=1 npx gatewave-audio detect s.wav --out e.csv [--views 8]',
    '```',
  ].join('\n');
  const got = shellCommands('R.md', text).map((c) => [c.line, c.words.join(' ')]);
  expect(got).toEqual([
    [7, 'node packages/audio/dist/cli.js detect x.wav --out e.csv'],
    [9, 'npm ci'],
    [9, 'npm run demo'],
    [10, 'npx gatewave-audio detect s.wav --out e.csv --views 8'],
  ]);
});
