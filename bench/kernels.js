#!/usr/bin/env node
// `npm run bench:kernels`: stock tfjs `cpu`, stock `wasm` and gatewave's `native` backend on the operations that
// dominate gatewave's models, in one process (the `native` backend is a separate tfjs backend, so `cpu` stays stock).
// Runs over the built dist/ (`npm run build` first). Options: --quick (fewer repetitions), --full (run the slow stock
// cpu conv-gradient case at full size instead of on 2 images and scaling by FLOPs), --models (only the rows of whole
// audio models: FRCRN small and the SELD CRNN, training step and inference, over packages/audio/dist), --no-models.
// Timings are medians of several runs; on a shared machine they are noisy, so compare ratios within one run.
require('./usage').exitWithUsageIfAsked(__filename);
const path = require('path');
const fs = require('fs');
const os = require('os');

const dist = path.join(__dirname, '..', 'packages', 'core', 'dist', 'index.js');
if (!fs.existsSync(dist)) {
  console.error('bench:kernels needs the built packages: run `npm run build` first.');
  process.exit(1);
}
const core = require(dist);
const { tf } = core;

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const full = args.has('--full');
const modelsOnly = args.has('--models'); // only the audio model rows
const noModels = args.has('--no-models'); // skip them (stock cpu takes minutes on them)

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Median seconds of fn() (awaited when it returns a promise), after one warm-up run. */
async function timeIt(fn, { minTime = quick ? 0.3 : 1.0, minReps = 3, maxReps = 40, warmup = true } = {}) {
  if (warmup) await fn();
  const times = [];
  const start = now();
  while (times.length < minReps || (now() - start < minTime && times.length < maxReps)) {
    const t0 = now();
    await fn();
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function rand(shape, seed) {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 2 ** 31 - 1) * 0.5;
  }
  return tf.tensor(v, shape);
}

async function use(backend) {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to start`);
  await tf.ready();
}

const rows = [];
function row(operation, settings, unit, higherIsBetter, cpu, wasm, native, note = '') {
  rows.push({ operation, settings, unit, higherIsBetter, cpu, wasm, native, note });
}

async function matmulRow(n, backends) {
  const result = {};
  for (const b of backends) {
    await use(b);
    const x = rand([n, n], 1);
    const y = rand([n, n], 2);
    const slow = b === 'cpu';
    const s = await timeIt(() => tf.matMul(x, y).dataSync(), slow ? { minReps: 1, minTime: 0, warmup: n <= 256 } : {});
    result[b] = (2 * n ** 3) / s / 1e9;
    tf.dispose([x, y]);
  }
  row(`matMul ${n}×${n}×${n}`, 'float32', 'GFLOPS', true, result.cpu, result.wasm, result.native);
}

function convFlops(n, h, w, c, k, oc) {
  return 2 * n * h * w * k * k * c * oc;
}

async function convForwardRow() {
  const [n, h, w, c, oc, k] = [16, 32, 32, 32, 64, 3];
  const result = {};
  for (const b of ['cpu', 'wasm', 'native']) {
    await use(b);
    const x = rand([n, h, w, c], 3);
    const f = rand([k, k, c, oc], 4);
    const s = await timeIt(
      () => tf.conv2d(x, f, 1, 'same').dataSync(),
      b === 'cpu' ? { minReps: 1, minTime: 0, warmup: false } : {},
    );
    result[b] = convFlops(n, h, w, c, k, oc) / s / 1e9;
    tf.dispose([x, f]);
  }
  row('conv2d 3×3 forward', '[16,32,32,32]→64, same', 'GFLOPS', true, result.cpu, result.wasm, result.native);
}

async function convTrainRow() {
  const [h, w, c, oc, k] = [32, 32, 32, 64, 3];
  const result = {};
  let note = 'wasm: no Conv2DBackpropFilter';
  for (const b of ['cpu', 'native']) {
    await use(b);
    const n = b === 'cpu' && !full ? 2 : 16;
    if (b === 'cpu' && !full) note += '; cpu measured on 2 images (rate per FLOP; --full for 16)';
    const x = rand([n, h, w, c], 5);
    const f = rand([k, k, c, oc], 6);
    const g = tf.grads((xx, ff) => tf.conv2d(xx, ff, 1, 'same').sum());
    const step = () => {
      const [dx, df] = g([x, f]);
      dx.dataSync();
      df.dataSync();
      tf.dispose([dx, df]);
    };
    const s = await timeIt(step, b === 'cpu' ? { minReps: 1, minTime: 0, warmup: false } : {});
    result[b] = (3 * convFlops(n, h, w, c, k, oc)) / s / 1e9; // forward + input gradient + filter gradient
    tf.dispose([x, f]);
  }
  row(
    'conv2d 3×3 forward + both gradients',
    '[16,32,32,32]→64, same',
    'GFLOPS',
    true,
    result.cpu,
    null,
    result.native,
    note,
  );
}

function gruModel(layer) {
  const model = tf.sequential();
  model.add(layer);
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

async function gruRow() {
  const [batch, steps, inputs, units] = [32, 64, 640, 64];
  const result = {};
  let nativeStock = null;
  for (const [b, fused] of [
    ['cpu', false],
    ['wasm', false],
    ['native', false],
    ['native', true],
  ]) {
    await use(b);
    const layer = fused
      ? new core.GRU({ units, inputShape: [steps, inputs] })
      : tf.layers.gru({ units, inputShape: [steps, inputs] });
    const model = gruModel(layer);
    const x = rand([batch, steps, inputs], 7);
    const y = rand([batch, 1], 8);
    const s = await timeIt(
      () => model.trainOnBatch(x, y),
      b === 'cpu' ? { minReps: 2, minTime: 0 } : { minTime: quick ? 0.5 : 2 },
    );
    tf.dispose([x, y]);
    model.dispose();
    if (b === 'native' && !fused) nativeStock = s * 1000;
    else result[b] = s * 1000;
  }
  row(
    'GRU training step (train on batch)',
    'b32, T=64, 640→64 units',
    'ms/step',
    false,
    result.cpu,
    result.wasm,
    result.native,
    `cpu/wasm: tf.layers.gru; native: fused GatewaveGRU (tf.layers.gru on native: ${nativeStock.toFixed(0)} ms)`,
  );
}

async function mlpRows() {
  const [batch, batches] = [64, quick ? 10 : 30];
  const fitResult = {};
  const inferResult = {};
  for (const b of ['cpu', 'wasm', 'native']) {
    await use(b);
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 256, activation: 'relu', inputShape: [336] }));
    model.add(tf.layers.dense({ units: 96 }));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const x = rand([batch * batches, 336], 9);
    const y = rand([batch * batches, 96], 10);
    await model.fit(x.slice(0, batch * 2), y.slice(0, batch * 2), { batchSize: batch, epochs: 1, verbose: 0 });
    const reps = b === 'cpu' ? 1 : 3;
    const times = [];
    for (let r = 0; r < reps; r++) {
      const t0 = now();
      await model.fit(x, y, { batchSize: batch, epochs: 1, verbose: 0, shuffle: false });
      times.push(now() - t0);
    }
    times.sort((p, q) => p - q);
    fitResult[b] = batches / times[Math.floor(times.length / 2)];
    const xb = rand([batch, 336], 11);
    const s = await timeIt(() => tf.tidy(() => model.predict(xb).dataSync()));
    inferResult[b] = 1 / s;
    tf.dispose([x, y, xb]);
    model.dispose();
  }
  row('MLP model.fit', '336→256(relu)→96, b64, Adam', 'steps/s', true, fitResult.cpu, fitResult.wasm, fitResult.native);
  row(
    'MLP inference',
    '336→256(relu)→96, b64',
    'batches/s',
    true,
    inferResult.cpu,
    inferResult.wasm,
    inferResult.native,
  );
}

async function copyRow() {
  const result = {};
  for (const b of ['cpu', 'wasm', 'native']) {
    await use(b);
    const x = rand([32, 64, 192], 12);
    const s = await timeIt(() => tf.tidy(() => tf.split(x, 3, 2).forEach((t) => t.dataSync())));
    result[b] = s * 1000;
    tf.dispose(x);
  }
  row('split (SplitV) into 3 on the last axis', '[32,64,192]', 'ms', false, result.cpu, result.wasm, result.native);
}

// ------------------------------------------------------------------------------------------------ audio models
// Whole training steps (forward + backward + Adam) and inference of the two audio models, over packages/audio/dist.

function loadAudio() {
  const dir = path.join(__dirname, '..', 'packages', 'audio', 'dist');
  if (!fs.existsSync(path.join(dir, 'enhance', 'frcrn.js'))) return null;
  return {
    frcrn: require(path.join(dir, 'enhance', 'frcrn.js')),
    tstft: require(path.join(dir, 'dsp', 'tensor-stft.js')),
    stft: require(path.join(dir, 'dsp', 'stft.js')),
    train: require(path.join(dir, 'enhance', 'train.js')),
    detector: require(path.join(dir, 'sed', 'detector.js')),
  };
}

/** One FRCRN training step as packages/audio/src/enhance/train.ts takes it (loss: −SI-SNR + 10·mask MSE). */
function frcrnStep(audio, model, config, clean, noisy, opt) {
  const { stftTensor, istftTensor } = audio.tstft;
  const opts = {
    winLength: config.winLength,
    hopLength: config.hopLength,
    nFft: config.nFft,
    window: audio.stft.makeWindow('sqrt-hann', config.winLength),
  };
  const len = clean.shape[1];
  const { value, grads } = tf.variableGrads(() => {
    const X = stftTensor(noisy, opts);
    const S = stftTensor(clean, opts);
    const mask = model.apply(tf.stack([X.re, X.im], 3), { training: true });
    const [mr, mi] = tf.unstack(mask, 3);
    const y = istftTensor({ re: mr.mul(X.re).sub(mi.mul(X.im)), im: mr.mul(X.im).add(mi.mul(X.re)) }, len, opts);
    const den = X.re.square().add(X.im.square()).add(1e-8);
    const tr = S.re.mul(X.re).add(S.im.mul(X.im)).div(den).clipByValue(-1, 1);
    const ti = S.im.mul(X.re).sub(S.re.mul(X.im)).div(den).clipByValue(-1, 1);
    const maskMse = mr.sub(tr).square().mean().add(mi.sub(ti).square().mean()).div(2);
    return audio.train.negSiSnr(clean, y).add(maskMse.mul(10));
  });
  opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
}

/**
 * Times a model's training step and its inference on stock cpu and on native, and prints a row for each:
 * `setup(batch, seconds)` builds the model and its data on the current backend and returns { step, infer, dispose }.
 * Without --full, stock cpu runs batch 1 (and 2 s of audio for inference); the step time is scaled to the full batch
 * (its time is linear in it) and inference to one second of audio (RTF).
 */
async function modelRows(name, { batch: fullBatch, seconds: fullSeconds, train, infer }, setup) {
  const slow = { minReps: 1, minTime: 0, warmup: false };
  const fast = { minReps: 2, minTime: quick ? 0 : 4, maxReps: 5 };
  const ms = {};
  const rtf = {};
  for (const b of ['cpu', 'native']) {
    await use(b);
    core.setSeed(1);
    const small = b === 'cpu' && !full;
    const batch = small ? 1 : fullBatch;
    const seconds = small ? 2 : fullSeconds;
    const model = setup(batch, seconds);
    const opts = b === 'cpu' ? slow : fast;
    ms[b] = (await timeIt(model.step, opts)) * 1000 * (fullBatch / batch);
    rtf[b] = (await timeIt(model.infer, opts)) / seconds;
    model.dispose();
  }
  const scaledNote = full ? '' : 'stock cpu: batch 1 scaled to the batch, inference on 2 s (--full: full size)';
  row(`${name} train step`, train, 'ms/step', false, ms.cpu, null, ms.native, scaledNote);
  row(`${name} inference`, infer, 'RTF', false, rtf.cpu, null, rtf.native);
}

async function audioModelRows() {
  const audio = loadAudio();
  if (!audio) {
    console.error('bench:kernels: packages/audio/dist is not built; skipping the audio model rows.');
    return;
  }
  // FRCRN small: batch 4 × 1.5 s crops (train), 10 s of audio at batch 1 (inference).
  const config = audio.frcrn.FRCRN_CONFIGS.small;
  const frcrn = { batch: 4, seconds: 10, train: 'b4 × 1.5 s, fwd+bwd+Adam', infer: '10 s, batch 1 (model only)' };
  await modelRows('FRCRN small', frcrn, (batch, seconds) => {
    const frames = Math.floor((seconds * config.sampleRate) / config.hopLength) + 1;
    const model = audio.frcrn.buildFrcrn(config);
    const clean = rand([batch, 24000], 20).mul(0.2);
    const noisy = clean.add(rand([batch, 24000], 21).mul(0.1));
    const opt = tf.train.adam(1e-3);
    const spec = rand([1, frames, audio.frcrn.frcrnBins(config), 2], 22);
    return {
      step: () => frcrnStep(audio, model, config, clean, noisy, opt),
      infer: () => tf.tidy(() => model.predict(spec).dataSync()),
      dispose: () => {
        tf.dispose([clean, noisy, spec]);
        opt.dispose();
        model.dispose();
      },
    };
  });

  // SELD CRNN (foa, 11 classes, the DCASE baseline shape): batch 8 × 5 s excerpts (train), 20 s (inference).
  const classes = Array.from({ length: 11 }, (_, i) => `class${i}`);
  const dcfg = audio.detector.defaultDetectorConfig('foa', classes);
  const seld = { batch: 8, seconds: 20, train: 'foa, b8 × 5 s, fwd+bwd+Adam', infer: 'foa, 20 s, batch 1' };
  await modelRows('SELD CRNN', seld, (batch, seconds) => {
    const model = audio.detector.buildDetector(dcfg);
    const x = rand([batch, 250, 64, 7], 23);
    const sed = tf.tidy(() => rand([batch, 50, 11], 24).greater(0).toFloat());
    const doa = rand([batch, 50, 33], 25);
    const opt = tf.train.adam(1e-3);
    const vars = model.trainableWeights.map((w) => w.read());
    const xi = rand([1, seconds * 50, 64, 7], 26);
    const step = () => {
      const loss = tf.tidy(() =>
        opt.minimize(
          () => {
            const [ps, pd] = model.apply(x, { training: true });
            return audio.detector.detectorLoss(sed, ps, doa, pd, dcfg.doaWeight);
          },
          true,
          vars,
        ),
      );
      loss.dataSync();
      loss.dispose();
    };
    return {
      step,
      infer: () => tf.tidy(() => model.predict(xi).forEach((t) => t.dataSync())),
      dispose: () => {
        tf.dispose([x, sed, doa, xi]);
        opt.dispose();
        model.dispose();
      },
    };
  });
}

function fmt(v, unit) {
  if (v == null || !Number.isFinite(v)) return '-';
  if (unit === 'ms/step' || unit === 'ms') return v >= 100 ? v.toFixed(0) : v.toFixed(2);
  if (unit === 'RTF') return v.toFixed(4);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function ratio(native, base, higherIsBetter) {
  if (native == null || base == null) return '-';
  const r = higherIsBetter ? native / base : base / native;
  return `${r >= 100 ? r.toFixed(0) : r.toFixed(1)}×`;
}

async function main() {
  const status = core.registerNativeBackend();
  if (!status.ok) {
    console.error(`bench:kernels: the native backend is unavailable: ${status.reason}`);
    process.exit(1);
  }
  const info = core.nativeInfo();
  const t0 = now();
  if (!modelsOnly) {
    for (const n of [256, 512]) await matmulRow(n, ['cpu', 'wasm', 'native']);
    if (!quick) await matmulRow(1024, ['wasm', 'native']);
    await convForwardRow();
    await convTrainRow();
    await gruRow();
    await mlpRows();
    await copyRow();
  }
  if (!noModels) await audioModelRows();

  const header = [
    'operation',
    'settings',
    'unit',
    'stock cpu',
    'stock wasm',
    'gatewave native',
    'native/cpu',
    'native/wasm',
  ];
  const table = rows.map((r) => [
    r.operation,
    r.settings,
    r.unit,
    fmt(r.cpu, r.unit),
    fmt(r.wasm, r.unit),
    fmt(r.native, r.unit),
    ratio(r.native, r.cpu, r.higherIsBetter),
    ratio(r.native, r.wasm, r.higherIsBetter),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => String(t[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(
    `gatewave kernels: native ISA ${info.isa}, ${info.threads} thread(s) (GATEWAVE_THREADS), wasm 1 thread (SIMD), ` +
      `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}, tfjs ${tf.version_core}` +
      `${quick ? ', --quick' : ''}`,
  );
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  table.forEach((t) => console.log(line(t)));
  for (const r of rows) if (r.note) console.log(`  ${r.operation}: ${r.note}`);
  console.log(
    `(medians; ${((now() - t0) / 60).toFixed(1)} min; shared machines are noisy: compare ratios within one run)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
