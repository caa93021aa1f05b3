import { Command } from 'commander';
import { GatewaveError } from '../src';
import { errorLine, exitCodeOf, runCli } from '../src/cli';

describe('one exit-code convention for both command lines', () => {
  test('exit codes by error kind', () => {
    expect(exitCodeOf(new GatewaveError('BAD_ARGUMENT', 'x'))).toBe(2);
    expect(exitCodeOf(new GatewaveError('OUTPUT_EXISTS', 'x'))).toBe(2);
    expect(exitCodeOf(new GatewaveError('WRITE_FAILED', 'x'))).toBe(1);
    expect(exitCodeOf(new GatewaveError('TRAINING_DIVERGED', 'x'))).toBe(1);
    expect(exitCodeOf(new GatewaveError('INTERRUPTED', 'x'))).toBe(130);
    expect(exitCodeOf(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(2);
    expect(exitCodeOf(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(1);
    expect(exitCodeOf(new TypeError('x is undefined'))).toBe(1);
  });

  test('messages: code and message for known errors, no stack for unexpected ones unless GATEWAVE_DEBUG', () => {
    expect(errorLine('gw', new GatewaveError('BAD_ARGUMENT', '--x: bad'))).toBe('gw: error [BAD_ARGUMENT]: --x: bad');
    const saved = process.env.GATEWAVE_DEBUG;
    delete process.env.GATEWAVE_DEBUG;
    const line = errorLine('gw', new TypeError('boom'));
    process.env.GATEWAVE_DEBUG = saved;
    expect(line).toMatch(/^gw: unexpected error: boom \(set GATEWAVE_DEBUG=1/);
    expect(line).not.toMatch(/\n\s+at /);
  });

  test('runCli: usage errors exit 2, help exits 0, a thrown GatewaveError is printed once with its code', async () => {
    const make = (): Command => {
      const p = new Command().name('gw').configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      p.command('go')
        .requiredOption('--n <n>')
        .action(() => {
          throw new GatewaveError('OUTPUT_IS_INPUT', 'no');
        });
      return p;
    };
    const lines: string[] = [];
    const spy = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
    const saved = process.exitCode;
    try {
      const codes: number[] = [];
      for (const argv of [['go'], ['go', '--bogus'], ['--help'], ['go', '--n', '1']]) {
        process.exitCode = 0;
        await runCli(make(), 'gw', ['node', 'gw', ...argv]);
        codes.push(Number(process.exitCode));
      }
      expect(codes).toEqual([2, 2, 0, 2]);
    } finally {
      spy.mockRestore();
      process.exitCode = saved;
    }
    expect(lines).toEqual(['gw: error [OUTPUT_IS_INPUT]: no\n']);
  });
});
