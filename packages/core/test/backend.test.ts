import * as tf from '@tensorflow/tfjs';

// Make the GPU package look absent (or broken) whatever this machine has installed.
jest.mock(
  '@tensorflow/tfjs-node-gpu',
  () => {
    const err = new Error("Cannot find module '@tensorflow/tfjs-node-gpu'") as NodeJS.ErrnoException;
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  },
  { virtual: true },
);

import { BACKEND_ORDER, GatewaveError, activeBackend, initBackend } from '../src';

const saved = process.env.GATEWAVE_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.GATEWAVE_BACKEND;
  else process.env.GATEWAVE_BACKEND = saved;
});

describe('initBackend', () => {
  test('falls back past a missing tfjs-node-gpu, says why, and reports the active backend', async () => {
    delete process.env.GATEWAVE_BACKEND;
    const info = await initBackend(undefined, { quiet: true });
    expect(info.skipped[0]).toEqual({ name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed' });
    expect(BACKEND_ORDER).toContain(info.name);
    expect(tf.getBackend()).toBe(info.tfBackend);
    expect(activeBackend()).toEqual(info);
    // Every backend before the chosen one was skipped with a reason.
    expect(info.skipped.map((s) => s.name)).toEqual(BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(info.name)));
  });

  test('training a conv model never lands on wasm; inference may', async () => {
    delete process.env.GATEWAVE_BACKEND;
    const train = await initBackend(undefined, { quiet: true, purpose: 'train' });
    expect(train.name).not.toBe('wasm');
    const wasmSkip = train.skipped.find((s) => s.name === 'wasm');
    if (wasmSkip) expect(wasmSkip.reason).toMatch(/Conv2DBackpropFilter/);
  });

  test('a preferred backend is honoured', async () => {
    delete process.env.GATEWAVE_BACKEND;
    expect((await initBackend('cpu', { quiet: true })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initBackend('wasm', { quiet: true })).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    await tf.setBackend('cpu');
  });

  test('GATEWAVE_BACKEND wins over the argument', async () => {
    process.env.GATEWAVE_BACKEND = 'cpu';
    expect((await initBackend('wasm', { quiet: true })).name).toBe('cpu');
  });

  test('a forced backend that is unavailable is an error naming it and why', async () => {
    process.env.GATEWAVE_BACKEND = 'tensorflow-gpu';
    await expect(initBackend()).rejects.toThrow(
      /backend 'tensorflow-gpu' was requested but is unavailable: @tensorflow\/tfjs-node-gpu is not installed/,
    );
    process.env.GATEWAVE_BACKEND = 'quantum';
    await expect(initBackend()).rejects.toThrow(GatewaveError);
    await expect(initBackend()).rejects.toThrow(/GATEWAVE_BACKEND: unknown backend 'quantum'/);
  });

  test('logs the chosen backend to stderr', async () => {
    delete process.env.GATEWAVE_BACKEND;
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await initBackend('cpu');
    expect(write.mock.calls.map((c) => String(c[0])).join('')).toMatch(/^gatewave: backend cpu \(forced\)/);
    write.mockRestore();
  });
});
