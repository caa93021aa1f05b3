import { tf } from '@gatewave/core';

/**
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter`, so no model with a convolution (the core PGN layer computes
 * its history extraction as a causal conv1d) can be trained on wasm. This registers a plain-JavaScript version of that
 * one kernel for `wasm` (NHWC, any stride and padding, dilation 1 as in tfjs's conv2d gradient). It is only
 * registered when no such kernel exists, so a future tfjs that ships one wins. Returns whether it registered.
 */
export function registerWasmConvFilterGrad(): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
        strides: [number, number] | number;
        pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
        dataFormat: 'NHWC' | 'NCHW';
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: [number, number, number, number];
      };
      if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (gatewave wasm): only NHWC is supported.');
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
        false,
        'channelsLast',
      );
      const wasm = backend as unknown as {
        readSync(id: unknown): Float32Array;
        makeOutput(shape: number[], dtype: string, offset?: number, values?: Float32Array): tf.TensorInfo;
      };
      const xv = wasm.readSync(x.dataId);
      const dyv = wasm.readSync(dy.dataId);
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
      const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
      const top = info.padInfo.top;
      const left = info.padInfo.left;
      const dW = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
      for (let b = 0; b < batchSize; b++) {
        for (let yR = 0; yR < outHeight; yR++) {
          for (let yC = 0; yC < outWidth; yC++) {
            const dyOff = ((b * outHeight + yR) * outWidth + yC) * outChannels;
            for (let wR = 0; wR < filterHeight; wR++) {
              const xR = yR * strideHeight + wR - top;
              if (xR < 0 || xR >= inHeight) continue;
              for (let wC = 0; wC < filterWidth; wC++) {
                const xC = yC * strideWidth + wC - left;
                if (xC < 0 || xC >= inWidth) continue;
                const xOff = ((b * inHeight + xR) * inWidth + xC) * inChannels;
                const wOff = (wR * filterWidth + wC) * inChannels * outChannels;
                for (let d1 = 0; d1 < inChannels; d1++) {
                  const xval = xv[xOff + d1];
                  if (xval === 0) continue;
                  const o = wOff + d1 * outChannels;
                  for (let d2 = 0; d2 < outChannels; d2++) dW[o + d2] += xval * dyv[dyOff + d2];
                }
              }
            }
          }
        }
      }
      return wasm.makeOutput(filterShape, 'float32', undefined, dW);
    },
  });
  return true;
}
