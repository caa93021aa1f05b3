/**
 * gatewave's GRU layer against tf.layers.gru on stock cpu: with the same weights, the fused op on the native
 * backend gives the same outputs (1e-5) and gradients (1e-4, relative to the largest entry) for every direction,
 * output mode and supported activation; it falls back to tf.layers.gru's own code elsewhere; it serializes as
 * GatewaveGRU; bidirectionalGRU matches tf.layers.bidirectional; and training with it matches stock training.
 */
import * as tf from '@tensorflow/tfjs';
import { bidirectionalGRU, GRU, type GRUConfig } from '../src/layers/gru';
import { NATIVE_BACKEND, registerNativeBackend } from '../src/native';
import { kernelHits } from '../src/native/kernels';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) console.warn(`fused GRU tests skipped: ${status.reason}`);

function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

function relErr(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

interface Run {
  output: Float32Array;
  grads: Float32Array[];
}

/**
 * Applies `make()` to x [B, T, D] on `backend` with the given weights (or the layer's own, returned), and takes the
 * gradients of sum(output · projection) with respect to x and every weight.
 */
async function runLayer(
  backend: string,
  make: () => tf.layers.Layer,
  shape: number[],
  weights: Float32Array[] | null,
): Promise<Run & { weights: Float32Array[]; fusedForward: number; fusedBackward: number }> {
  await tf.setBackend(backend);
  const layer = make();
  const x = tf.variable(tf.tensor3d(values(shape[0] * shape[1] * shape[2], 7, 2.5), shape as [number, number, number]));
  tf.tidy(() => layer.apply(x) as tf.Tensor); // builds the weights
  if (weights) layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const own = layer.getWeights().map((w) => Float32Array.from(w.dataSync()));
  const variables = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  let output: Float32Array = new Float32Array();
  const hits = [kernelHits.FusedGru ?? 0, kernelHits.FusedGruBackward ?? 0];
  const { grads } = tf.variableGrads(() => {
    const y = layer.apply(x) as tf.Tensor;
    output = Float32Array.from(y.dataSync());
    const projection = tf.tensor(values(y.size, 11), y.shape);
    return y.mul(projection).sum() as tf.Scalar;
  }, variables);
  const result = {
    fusedForward: (kernelHits.FusedGru ?? 0) - hits[0],
    fusedBackward: (kernelHits.FusedGruBackward ?? 0) - hits[1],
    output,
    grads: variables.map((v) => Float32Array.from(grads[v.name].dataSync())),
    weights: own,
  };
  tf.dispose([x, ...Object.values(grads)]);
  return result;
}

async function compareFused(config: GRUConfig, shape: number[], expectFused = true): Promise<void> {
  const stock = await runLayer('cpu', () => tf.layers.gru({ ...config }), shape, null);
  const fused = await runLayer(NATIVE_BACKEND, () => new GRU({ ...config }), shape, stock.weights);
  expect(fused.fusedForward).toBe(expectFused ? 1 : 0);
  expect(fused.fusedBackward).toBe(expectFused ? 1 : 0);
  expect(fused.output.length).toBe(stock.output.length);
  expect(relErr(fused.output, stock.output)).toBeLessThanOrEqual(1e-5);
  expect(fused.grads).toHaveLength(stock.grads.length);
  fused.grads.forEach((g, i) => expect(relErr(g, stock.grads[i])).toBeLessThanOrEqual(1e-4));
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

suite('fused GRU vs tf.layers.gru on stock cpu', () => {
  const cases: [string, GRUConfig][] = [
    ['last output', { units: 4 }],
    ['sequences', { units: 4, returnSequences: true }],
    ['backwards, last output', { units: 4, goBackwards: true }],
    ['backwards, sequences', { units: 4, returnSequences: true, goBackwards: true }],
    ['sigmoid gates', { units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }],
    ['no bias', { units: 4, returnSequences: true, useBias: false }],
    ['relu candidate', { units: 4, returnSequences: true, activation: 'relu', recurrentActivation: 'sigmoid' }],
  ];
  test.each(cases)('%s: forward 1e-5, gradients 1e-4', async (_, config) => {
    await compareFused(config, [3, 7, 5]);
  });

  test('larger: batch 4, 19 steps, 33 features, 24 units, both output modes', async () => {
    await compareFused({ units: 24, returnSequences: true }, [4, 19, 33]);
    await compareFused({ units: 24, goBackwards: true, recurrentActivation: 'sigmoid' }, [4, 19, 33]);
  });

  test('options the fused op does not cover run as tf.layers.gru', async () => {
    await compareFused({ units: 4, activation: 'softsign' }, [2, 5, 3], false);
  });

  test('bidirectionalGRU equals tf.layers.bidirectional over tf.layers.gru (concat and sum)', async () => {
    for (const mergeMode of ['concat', 'sum'] as const) {
      const shape = [3, 6, 5];
      const stock = await runLayer(
        'cpu',
        () =>
          tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, returnSequences: true }) as tf.RNN, mergeMode }),
        shape,
        null,
      );
      const fused = await runLayer(
        NATIVE_BACKEND,
        () => bidirectionalGRU({ units: 4, returnSequences: true, mergeMode }),
        shape,
        stock.weights,
      );
      expect(fused.fusedForward).toBe(2);
      expect(fused.fusedBackward).toBe(2);
      expect(relErr(fused.output, stock.output)).toBeLessThanOrEqual(1e-5);
      fused.grads.forEach((g, i) => expect(relErr(g, stock.grads[i])).toBeLessThanOrEqual(1e-4));
    }
  });
});

describe('GRU layer on stock backends and in models', () => {
  test('on cpu it is tf.layers.gru exactly', async () => {
    const stock = await runLayer('cpu', () => tf.layers.gru({ units: 3, returnSequences: true }), [2, 4, 3], null);
    const ours = await runLayer('cpu', () => new GRU({ units: 3, returnSequences: true }), [2, 4, 3], stock.weights);
    expect(ours.fusedForward).toBe(0);
    expect(ours.output).toEqual(stock.output);
    ours.grads.forEach((g, i) => expect(g).toEqual(stock.grads[i]));
  });

  test('serializes as GatewaveGRU and loads back with the same outputs', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [5, 3] });
    const out = bidirectionalGRU({ units: 2, returnSequences: true, name: 'bigru' }).apply(
      new GRU({ units: 3, returnSequences: true, goBackwards: true }).apply(input),
    ) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const json = JSON.stringify(model.toJSON(null, false));
    expect(json).toContain('"class_name":"GatewaveGRU"');
    const copy = await tf.models.modelFromJSON(JSON.parse(json));
    copy.setWeights(model.getWeights());
    const x = tf.tensor3d(values(2 * 5 * 3, 3), [2, 5, 3]);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (copy.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(copy.layers[1]).toBeInstanceOf(GRU);
  });

  (status.ok ? test : test.skip)(
    'a conv + bidirectional GRU model trains on native as on stock cpu (same losses, 1e-4)',
    async () => {
      const build = (gru: (units: number) => tf.layers.Layer) => {
        const input = tf.input({ shape: [12, 6, 1] });
        let x = tf.layers
          .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
          .apply(input) as tf.SymbolicTensor;
        x = tf.layers.reshape({ targetShape: [12, 24] }).apply(x) as tf.SymbolicTensor;
        x = gru(8).apply(x) as tf.SymbolicTensor;
        const y = tf.layers
          .timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'sigmoid' }) })
          .apply(x) as tf.SymbolicTensor;
        return tf.model({ inputs: input, outputs: y });
      };
      await tf.setBackend('cpu');
      const initial = tf.tidy(() =>
        build((u) => tf.layers.bidirectional({ layer: tf.layers.gru({ units: u, returnSequences: true }) as tf.RNN }))
          .getWeights()
          .map((w) => w.arraySync()),
      );
      const xs = values(8 * 12 * 6, 21);
      const ys = values(8 * 12 * 2, 22).map((v) => (v > 0 ? 1 : 0));
      const train = async (backend: string, gru: (units: number) => tf.layers.Layer) => {
        await tf.setBackend(backend);
        const model = build(gru);
        model.setWeights(initial.map((w) => tf.tensor(w as number[])));
        model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
        const x = tf.tensor4d(xs, [8, 12, 6, 1]);
        const y = tf.tensor3d(ys, [8, 12, 2]);
        const h = await model.fit(x, y, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
        tf.dispose([x, y]);
        model.dispose();
        return h.history.loss as number[];
      };
      const hits = kernelHits.FusedGruBackward ?? 0;
      const native = await train(NATIVE_BACKEND, (u) => bidirectionalGRU({ units: u, returnSequences: true }));
      expect((kernelHits.FusedGruBackward ?? 0) - hits).toBe(8);
      const stock = await train('cpu', (u) =>
        tf.layers.bidirectional({ layer: tf.layers.gru({ units: u, returnSequences: true }) as tf.RNN }),
      );
      native.forEach((l, i) => expect(Math.abs(l - stock[i]) / stock[i]).toBeLessThanOrEqual(1e-4));
      expect(native[3]).toBeLessThan(native[0]);
    },
  );
});
