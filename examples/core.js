#!/usr/bin/env node
// @gatewave/core on its own: build a forecaster from the PGN and FSMN layers with plain tfjs, train it on a real
// hourly series (Seattle hourly temperature normals from vega-datasets), compare with a naive forecast, save and
// reload it. Settings: EPOCHS=3 LOOKBACK=48 HORIZON=24 STRIDE=4 OUT=/tmp/gatewave-core-model node examples/core.js
const fs = require('fs');
const os = require('os');
const path = require('path');
const { tf, initBackend, setSeed, PGN, FSMN, saveModel, loadModel } = require('@gatewave/core');
const { vegaDataset } = require('./settings');

const EPOCHS = Number(process.env.EPOCHS ?? 3);
const LOOKBACK = Number(process.env.LOOKBACK ?? 48);
const HORIZON = Number(process.env.HORIZON ?? 24);
const STRIDE = Number(process.env.STRIDE ?? 4);
const OUT = process.env.OUT ?? path.join(os.tmpdir(), 'gatewave-core-model');

async function main() {
  const backend = await initBackend(undefined, { purpose: 'train' }); // FSMN needs depthwise-conv gradients
  console.log(`backend: ${backend.name}`);
  setSeed(2023);

  // One real series: hourly temperature (°C), 8,760 rows.
  const csv = fs.readFileSync(vegaDataset('seattle-weather-hourly-normals.csv'), 'utf8');
  const temp = csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[2]));
  const nTrain = Math.floor(temp.length * 0.7);
  const mean = temp.slice(0, nTrain).reduce((a, b) => a + b, 0) / nTrain;
  const std = Math.sqrt(temp.slice(0, nTrain).reduce((a, b) => a + (b - mean) ** 2, 0) / nTrain);
  const z = temp.map((v) => (v - mean) / std);

  // Windows: LOOKBACK steps in, HORIZON steps out; train on the first 70%, test on the rest.
  const windows = (from, to, stride) => {
    const xs = [],
      ys = [];
    for (let s = from; s + LOOKBACK + HORIZON <= to; s += stride) {
      xs.push(z.slice(s, s + LOOKBACK).map((v) => [v]));
      ys.push(z.slice(s + LOOKBACK, s + LOOKBACK + HORIZON));
    }
    return { x: tf.tensor3d(xs), y: tf.tensor2d(ys) };
  };
  const train = windows(0, nTrain, STRIDE);
  const test = windows(nTrain - LOOKBACK, z.length, HORIZON);

  // [batch, LOOKBACK, 1] → PGN → FSMN memory → flatten → HORIZON values
  const model = tf.sequential({
    layers: [
      new PGN({ units: 16, window: 24, inputShape: [LOOKBACK, 1] }),
      new FSMN({ units: 32, lorder: 4 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: HORIZON }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  await model.fit(train.x, train.y, { epochs: EPOCHS, batchSize: 32, shuffle: true, verbose: 0 });

  const mse = (pred) => tf.losses.meanSquaredError(test.y, pred).dataSync()[0];
  const pgnMse = mse(model.predict(test.x));
  const naive = test.x
    .slice([0, LOOKBACK - 1, 0], [-1, 1, 1])
    .reshape([-1, 1])
    .tile([1, HORIZON]);
  const naiveMse = mse(naive);
  console.log(
    `test MSE (scaled): PGN+FSMN ${pgnMse.toFixed(4)}  naive ${naiveMse.toFixed(4)}  ratio ${(pgnMse / naiveMse).toFixed(3)}`,
  );

  await saveModel(model, OUT, { lookback: LOOKBACK, horizon: HORIZON, mean, std });
  const reloaded = await loadModel(OUT);
  const same = mse(reloaded.predict(test.x)) === pgnMse;
  console.log(`saved to ${OUT}; reloaded model gives ${same ? 'the same' : 'DIFFERENT'} predictions`);
  if (!same) process.exit(1);
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
