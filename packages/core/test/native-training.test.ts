/**
 * The native backend end to end: a model trained for a few steps on native and on stock cpu from the same weights
 * ends with the same losses; the fused Adam step matches tfjs's; and the fallbacks (addon missing, GATEWAVE_NATIVE=0)
 * leave gatewave on the stock backends. Also: GATEWAVE_THREADS sets the pool size and a process using the pool exits.
 */
import { spawnSync } from 'child_process';
import { values } from './values';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend';
import { canFuseGru, NATIVE_BACKEND, nativeInfo, registerNativeBackend } from '../src/native';
import { addonCandidates, loadAddon } from '../src/native/addon';
import { kernelHits } from '../src/native/kernels';
import { GRU } from '../src/layers/gru';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) console.warn(`native training tests skipped: ${status.reason}`);

function buildModel(): tf.LayersModel {
  const input = tf.input({ shape: [10, 9, 2] });
  let x = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: [3, 1], padding: 'same' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 2, strides: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 16, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** The weights of a freshly built model, made on stock cpu: the one start that both backends train from. */
async function initialWeights(build: () => tf.LayersModel): Promise<number[][]> {
  await tf.setBackend('cpu');
  return tf.tidy(() =>
    build()
      .getWeights()
      .map((w) => Array.from(w.dataSync())),
  );
}

/** `model` with its weights set to `initial` (shapes from the model's own weights). */
function withWeights(model: tf.LayersModel, initial: number[][]): tf.LayersModel {
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(initial[i], w.shape)));
  return model;
}

suite('training on native matches stock cpu', () => {
  test('a conv + dense model, 6 Adam steps: same losses (1e-4) and same weights', async () => {
    const initial = await initialWeights(buildModel);
    const xs = values(24 * 10 * 9 * 2, 1);
    const ys = values(24 * 3, 2);
    const train = async (backend: string) => {
      await tf.setBackend(backend);
      const model = withWeights(buildModel(), initial);
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const x = tf.tensor4d(xs, [24, 10, 9, 2]);
      const y = tf.tensor2d(ys, [24, 3]);
      const history = await model.fit(x, y, { epochs: 3, batchSize: 12, shuffle: false, verbose: 0 });
      const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
      tf.dispose([x, y]);
      model.dispose();
      return { loss: history.history.loss as number[], weights };
    };
    const adamBefore = kernelHits.FusedAdam ?? 0;
    const convBefore = kernelHits.Conv2DBackpropFilter ?? 0;
    const native = await train(NATIVE_BACKEND);
    expect(kernelHits.FusedAdam).toBe(adamBefore + 6);
    expect(kernelHits.Conv2DBackpropFilter).toBeGreaterThan(convBefore);
    const stock = await train('cpu');
    expect(kernelHits.FusedAdam).toBe(adamBefore + 6); // cpu keeps tfjs's own Adam
    expect(native.loss).toHaveLength(3);
    native.loss.forEach((l, i) =>
      expect(Math.abs(l - stock.loss[i]) / Math.abs(stock.loss[i])).toBeLessThanOrEqual(1e-4),
    );
    expect(native.loss[2]).toBeLessThan(native.loss[0]);
    native.weights.forEach((w, i) => {
      const ref = stock.weights[i];
      let diff = 0;
      for (let k = 0; k < w.length; k++) diff = Math.max(diff, Math.abs(w[k] - ref[k]));
      expect(diff).toBeLessThan(1e-4);
    });
  });

  test('the fused Adam step equals tfjs Adam step for step (moments, bias correction, epsilon)', async () => {
    const run = async (backend: string, exact: Float32Array[]) => {
      await tf.setBackend(backend);
      const w = tf.variable(tf.tensor2d(values(40 * 7, 3), [40, 7]));
      const b = tf.variable(tf.tensor1d(values(7, 4)));
      const opt = tf.train.adam(0.05, 0.8, 0.95, 1e-3);
      const x = tf.tensor2d(values(5 * 40, 5), [5, 40]);
      const c = tf.tensor2d(values(40 * 7, 6), [40, 7]);
      // Three steps with gradients that are exact on both backends (w·c summed: the gradient is c), then matmul ones.
      for (let i = 0; i < 3; i++) opt.minimize(() => w.mul(c).sum().add(b.square().sum()) as tf.Scalar);
      exact.push(Float32Array.from(w.dataSync()), Float32Array.from(b.dataSync()));
      for (let i = 0; i < 2; i++) opt.minimize(() => tf.matMul(x, w).add(b).square().mean() as tf.Scalar);
      const out = [Float32Array.from(w.dataSync()), Float32Array.from(b.dataSync())];
      const moments = (await opt.getWeights()).slice(1).map((v) => Float32Array.from(v.tensor.dataSync()));
      tf.dispose([w, b, x, c]);
      opt.dispose();
      return [...out, ...moments];
    };
    const before = kernelHits.FusedAdam ?? 0;
    const exactNative: Float32Array[] = [];
    const exactStock: Float32Array[] = [];
    const native = await run(NATIVE_BACKEND, exactNative);
    expect(kernelHits.FusedAdam).toBe(before + 5);
    const stock = await run('cpu', exactStock);
    // Same gradients in: the same float32 arithmetic, bit for bit.
    expect(exactNative).toEqual(exactStock);
    expect(native).toHaveLength(6);
    native.forEach((a, i) => {
      // Relative to the largest entry: the gradients differ in the last bits (GEMM summation order).
      let diff = 0;
      let scale = 0;
      for (let k = 0; k < a.length; k++) {
        diff = Math.max(diff, Math.abs(a[k] - stock[i][k]));
        scale = Math.max(scale, Math.abs(stock[i][k]));
      }
      expect(diff / scale).toBeLessThan(1e-5);
    });
  });
});

suite('the fused Adam step updates its moments in place only while nothing else holds them', () => {
  test('a clone of a moment taken between steps keeps its values; the moment moves on', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const w = tf.variable(tf.tensor1d(values(6, 21)));
    const c = tf.tensor1d(values(6, 22));
    const opt = tf.train.adam(0.1);
    const step = () => opt.minimize(() => w.mul(c).sum().add(w.square().sum()) as tf.Scalar);
    step();
    step();
    const m = (await opt.getWeights())[1].tensor; // [iterations, m, v]
    const clone = tf.clone(m); // shares m's data
    const before = Float32Array.from(clone.dataSync());
    step();
    expect(Array.from(clone.dataSync())).toEqual(Array.from(before)); // not overwritten in place
    const after = (await opt.getWeights())[1].tensor.dataSync();
    expect(Array.from(after)).not.toEqual(Array.from(before));
    const held = after; // the moment's own array, with no other tensor on it: the next step updates it in place
    const copy = Float32Array.from(held);
    step();
    expect(Array.from(held)).not.toEqual(Array.from(copy));
    expect(Array.from((await opt.getWeights())[1].tensor.dataSync())).toEqual(Array.from(held));
    tf.dispose([w, c, clone]);
    opt.dispose();
  });
});

suite('a CRNN trained with optimizer.minimize on native matches stock cpu', () => {
  // conv -> batch norm -> relu -> max pool -> bidirectional fused GRU -> dense, the SELD detector's shape in small.
  // The GRU's input is an intermediate tensor that the layers' tidy scopes dispose before the gradient runs, so this
  // also checks that the fused GRU keeps what its backward pass reads.
  function buildCrnn(): tf.LayersModel {
    const input = tf.input({ shape: [12, 8, 3] });
    let x = tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ axis: -1 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: [2, 4] }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reshape({ targetShape: [6, 10] }).apply(x) as tf.SymbolicTensor;
    for (let i = 0; i < 2; i++) {
      x = tf.layers
        .bidirectional({
          layer: new GRU({ units: 4, returnSequences: true }) as unknown as tf.RNN,
          mergeMode: 'concat',
        })
        .apply(x) as tf.SymbolicTensor;
    }
    const out = tf.layers.dense({ units: 2, activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  }

  test('4 Adam steps (training mode): same losses (1e-4); the fused GRU and the new kernels ran', async () => {
    const initial = await initialWeights(buildCrnn);
    const train = async (backend: string) => {
      await tf.setBackend(backend);
      const model = withWeights(buildCrnn(), initial);
      const opt = tf.train.adam(0.01);
      const x = tf.tensor4d(values(3 * 12 * 8 * 3, 7), [3, 12, 8, 3]);
      const y = tf.tensor3d(
        values(3 * 6 * 2, 8).map((v) => (v > 0 ? 1 : 0)),
        [3, 6, 2],
      );
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const loss = tf.tidy(
          () =>
            opt.minimize(
              () => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
              true,
            ) as tf.Scalar,
        );
        losses.push(loss.dataSync()[0]);
        loss.dispose();
      }
      tf.dispose([x, y]);
      opt.dispose();
      model.dispose();
      return losses;
    };
    const kernels = ['FusedGruBackward', 'MaxPoolGrad', 'Sum', 'Reverse', 'FusedBatchNorm'];
    const before = kernels.map((k) => kernelHits[k] ?? 0);
    const native = await train(NATIVE_BACKEND);
    kernels.forEach((k, i) => expect([k, kernelHits[k] ?? 0]).not.toEqual([k, before[i]]));
    const stock = await train('cpu');
    native.forEach((l, i) => expect(Math.abs(l - stock[i]) / Math.abs(stock[i])).toBeLessThanOrEqual(1e-4));
    expect(native[3]).toBeLessThan(native[0]);
  });
});

describe('fallback without the addon', () => {
  test('a missing or broken addon file is reported, not thrown', () => {
    const missing = loadAddon([path.join(os.tmpdir(), 'gatewave-no-such-dir', 'gatewave_native.node')]);
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.reason).toMatch(/not built/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-native-'));
    const broken = path.join(dir, 'gatewave_native.node');
    fs.writeFileSync(broken, 'not a shared object');
    const bad = loadAddon([broken]);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/failed to load/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GATEWAVE_NATIVE=0 turns the native backend off; initBackend falls back to the stock backends', async () => {
    const saved = process.env.GATEWAVE_NATIVE;
    process.env.GATEWAVE_NATIVE = '0';
    try {
      const off = registerNativeBackend();
      expect(off.ok).toBe(false);
      expect(off.reason).toMatch(/GATEWAVE_NATIVE=0/);
      expect(nativeInfo().ok).toBe(false);
      await expect(initBackend('native', { quiet: true })).rejects.toThrow(/native.*unavailable.*GATEWAVE_NATIVE=0/);
      const info = await initBackend(undefined, { quiet: true, purpose: 'train', convolutional: true });
      expect(['wasm', 'cpu']).toContain(info.name);
      expect(info.skipped.find((s) => s.name === 'native')?.reason).toMatch(/GATEWAVE_NATIVE=0/);
      expect(canFuseGru()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.GATEWAVE_NATIVE;
      else process.env.GATEWAVE_NATIVE = saved;
      await tf.setBackend('cpu');
    }
  });
});

const addonFile = addonCandidates().find((f) => fs.existsSync(f));
(addonFile ? describe : describe.skip)('the addon in a child process', () => {
  /** Runs `script` in a child node with GATEWAVE_THREADS=`threads`; expects exit 0 and returns its JSON output. */
  function runWithThreads(script: string, threads: number, timeout: number): unknown {
    const env = { ...process.env, GATEWAVE_THREADS: String(threads) };
    const r = spawnSync(process.execPath, ['-e', script], { env, timeout, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout);
  }

  test('GATEWAVE_THREADS sets the pool; the process exits promptly after threaded work', () => {
    const script = `
      const a = require(${JSON.stringify(addonFile)});
      const n = 300, x = new Float32Array(n * n).fill(1), out = new Float32Array(n * n);
      a.matmul(x, x, out, 1, 1, 1, n, n, n, false, false);
      process.stdout.write(JSON.stringify({ threads: a.info().threads, v: out[0] }));`;
    expect(runWithThreads(script, 3, 20000)).toEqual({ threads: 3, v: 300 });
  });

  test('pool jobs in quick succession: every task of every job runs once, on its own job (4 threads on 2 cores)', () => {
    // Batched products above and below the hand-off threshold, and single products split inside, alternate 1500
    // times; the output is filled with NaN first, so a task that was skipped, or that ran on another job's data,
    // shows. Inputs are small integers, so every product is exact and must equal the JS reference.
    const script = `
      const a = require(${JSON.stringify(addonFile)});
      const cases = [[8, 256, 32, 16], [8, 16, 32, 16], [1, 160, 160, 160], [3, 700, 24, 16]].map(([b, M, N, K], c) => {
        const A = Float32Array.from({ length: b * M * K }, (_, i) => ((i * 7 + c) % 5) - 2);
        const B = Float32Array.from({ length: b * K * N }, (_, i) => ((i * 3 + c) % 7) - 3);
        const ref = new Float32Array(b * M * N);
        for (let p = 0; p < b; p++)
          for (let i = 0; i < M; i++)
            for (let j = 0; j < N; j++) {
              let s = 0;
              for (let k = 0; k < K; k++) s += A[p * M * K + i * K + k] * B[p * K * N + k * N + j];
              ref[p * M * N + i * N + j] = s;
            }
        return { b, M, N, K, A, B, ref, out: new Float32Array(b * M * N) };
      });
      let bad = 0;
      for (let it = 0; it < 1500; it++) {
        const c = cases[it % cases.length];
        c.out.fill(NaN);
        a.matmul(c.A, c.B, c.out, c.b, c.b, c.b, c.M, c.N, c.K, false, false);
        for (let i = 0; i < c.out.length; i++) if (c.out[i] !== c.ref[i]) { bad++; break; }
      }
      process.stdout.write(JSON.stringify({ threads: a.info().threads, bad }));`;
    expect(runWithThreads(script, 4, 60000)).toEqual({ threads: 4, bad: 0 });
  });
});
