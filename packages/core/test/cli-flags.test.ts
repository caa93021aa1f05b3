import { Command } from 'commander';
import {
  addFlag,
  COMMON_FLAGS,
  integer,
  listOf,
  numberWhere,
  oneOf,
  openUnit,
  positiveInt,
  rangeOf,
} from '@gatewave/core/cli';
import { GatewaveError } from '../src';

function command(): Command {
  const cmd = new Command('t').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  addFlag(cmd, COMMON_FLAGS.learningRate, { default: 0.001 });
  addFlag(cmd, COMMON_FLAGS.batchSize, { default: 8, description: 'excerpts per batch' });
  addFlag(cmd, COMMON_FLAGS.out, { required: true, placeholder: '<dir>' });
  addFlag(cmd, {
    flags: '--scene-format <f>',
    description: 'format',
    parse: oneOf(['foa', 'mono'] as const),
    aliases: ['--format'],
  });
  return cmd;
}

const parse = (args: string[]) => command().parse(args, { from: 'user' }).opts();

describe('flag parsers', () => {
  test('numbers are checked and the flag is named in the error', () => {
    expect(positiveInt('3', '--epochs')).toBe(3);
    expect(integer('-2', '--seed')).toBe(-2);
    expect(openUnit('0.25', '--threshold')).toBe(0.25);
    expect(() => positiveInt('0', '--epochs')).toThrow(
      new GatewaveError('BAD_ARGUMENT', '--epochs must be a positive integer, got "0".'),
    );
    expect(() => positiveInt('2.5', '--epochs')).toThrow(/--epochs must be a positive integer, got "2.5"/);
    expect(() => openUnit('1', '--threshold')).toThrow(/--threshold must be in \(0, 1\), got "1"/);
    expect(() => numberWhere((x) => x >= 0, 'a number of dB >= 0')('', '--eq-db')).toThrow(
      /--eq-db must be a number of dB >= 0, got ""/,
    );
    expect(() => integer('abc', '--seed')).toThrow(GatewaveError);
  });
  test('lists parse each item and name the flag', () => {
    expect(listOf(positiveInt)('64, 32,,16', '--conv-channels')).toEqual([64, 32, 16]);
    expect(() => listOf(positiveInt)('64,x', '--conv-channels')).toThrow(
      /--conv-channels must be a positive integer, got "x"/,
    );
  });

  test('ranges are two numbers lo <= hi that pass the check; anything else names the flag, the rule and an example', () => {
    const positive = rangeOf((x) => x > 0, '0 < lo <= hi', '0.9,1.1');
    expect(positive('0.5,2', '--speed')).toEqual([0.5, 2]);
    expect(positive('1,1', '--speed')).toEqual([1, 1]);
    for (const bad of ['2,1', '0,1', '1', '1,2,3', 'a,b', '1,Infinity'])
      expect(() => positive(bad, '--speed')).toThrow(
        `--speed needs two numbers lo,hi with 0 < lo <= hi, e.g. 0.9,1.1; got "${bad}".`,
      );
  });
});

describe('addFlag', () => {
  test('canonical spellings and defaults', () => {
    expect(parse(['--out', 'd'])).toEqual({ learningRate: 0.001, batchSize: 8, out: 'd' });
    expect(parse(['-o', 'd', '--learning-rate', '0.01', '--batch-size', '4', '--scene-format', 'mono'])).toEqual({
      learningRate: 0.01,
      batchSize: 4,
      out: 'd',
      sceneFormat: 'mono',
    });
  });
  test('old spellings set the same key, are parsed alike, and are hidden from help', () => {
    expect(parse(['--out', 'd', '--lr', '0.02', '--batch', '2', '--format', 'foa'])).toEqual({
      learningRate: 0.02,
      batchSize: 2,
      out: 'd',
      sceneFormat: 'foa',
    });
    expect(() => parse(['--out', 'd', '--lr', '-1'])).toThrow(/^--lr must be a positive number, got "-1"\.$/);
    expect(() => parse(['--out', 'd', '--format', 'stereo'])).toThrow(
      /--format must be one of foa, mono, got "stereo"/,
    );
    const help = command().helpInformation();
    expect(help).toContain('--learning-rate <rate>');
    expect(help).toContain('excerpts per batch');
    expect(help).toContain('-o, --out <dir>');
    expect(help).not.toMatch(/--lr |--batch |--format /);
  });
  test('a required flag is satisfied by nothing else', () => {
    expect(() => parse(['--lr', '0.1'])).toThrow(/required option '-o, --out <dir>' not specified/);
  });
});
