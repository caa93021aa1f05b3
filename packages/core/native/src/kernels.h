// Kernels of the gatewave native addon (all float32, row-major, NHWC).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gw {

/** Geometry of a 2-D convolution, as tfjs's computeConv2DInfo gives it (NHWC). */
struct ConvGeom {
  long N, H, W, C;     // input
  long OH, OW, OC;     // output
  long FH, FW;         // filter
  long sh, sw;         // strides
  long dh, dw;         // dilations
  long pt, pl;         // top / left padding
  long CM;             // depthwise channel multiplier (OC = C * CM)
};

// Standard convolution: filter [FH, FW, C, OC].
void conv2d(const ConvGeom& g, const float* x, const float* w, float* y);
void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx);
void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw);

// Depthwise convolution: filter [FH, FW, C, CM].
void depthwiseConv2d(const ConvGeom& g, const float* x, const float* w, float* y);
void depthwiseBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx);
void depthwiseBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw);

/** Activation codes shared with the JavaScript side. */
enum Act { kLinear = 0, kRelu = 1, kRelu6 = 2, kSigmoid = 3, kLeakyRelu = 4, kElu = 5, kTanh = 6, kHardSigmoid = 7,
           kPrelu = 8 };

/**
 * In place on y (rows x cols): y += bias (bias has `cols` values, 1 value, or rows*cols values, by biasLen; none when
 * null), then the activation; `prelu` holds prelu weights (cols values or 1) for kPrelu.
 */
void biasActivation(float* y, long rows, long cols, const float* bias, long biasLen, int act, float alpha,
                    const float* prelu, long preluLen);

// Copies of 4-byte elements.
void sliceCopy(const void* x, const long* shape, const long* begin, const long* size, int rank, void* out);
void transposeCopy(const void* x, const long* shape, const int* perm, int rank, void* out);
void concatRows(const void* const* inputs, const long* inners, int count, long outer, void* out);
void splitRows(const void* x, const long* inners, int count, long outer, void* const* outputs);

// Elementwise.
enum BinOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kSquaredDiff = 4, kMaximum = 5, kMinimum = 6 };
/** mode 0: same size; 1: a is one value; 2: b is one value; 3: b has `inner` values repeated; 4: a has. */
void binary(int op, const float* a, const float* b, float* out, long n, int mode, long inner);
enum UnOp { kUReLU = 0, kURelu6 = 1, kUSigmoid = 2, kUTanh = 3, kUExp = 4, kUNeg = 5, kUSquare = 6, kUSqrt = 7,
            kUAbs = 8, kUElu = 9, kULeakyRelu = 10, kUStep = 11 };
void unary(int op, const float* x, float* out, long n, float alpha);

// Reductions (reduce.cc). isReduced[d] != 0 marks the reduced axes; out holds the kept axes in order.
enum RedOp { kRSum = 0, kRMean = 1, kRMax = 2, kRMin = 3 };
void reduce(int op, const float* x, const long* shape, const char* isReduced, int rank, float* out);
/** Constant padding of 4-byte elements: out has shape before + shape + after, filled with the bits `fill`. */
void padConstant(const void* x, const long* shape, const long* before, const long* after, int rank, uint32_t fill,
                 void* out);
/** out = x repeated reps[d] times along each dim d (4-byte elements). */
void tile(const void* x, const long* shape, const long* reps, int rank, void* out);
/** out = x with the dims where flip[d] != 0 reversed (4-byte elements). */
void reverseCopy(const void* x, const long* shape, const char* flip, int rank, void* out);
/**
 * Elementwise a op b over the output shape `oshape` (rank >= 1); as/bs are the element strides of a and b along each
 * output dim (0 where that input is broadcast).
 */
void binaryBroadcast(int op, const float* a, const float* b, float* out, const long* oshape, const long* as,
                     const long* bs, int rank);
enum CmpOp { kGreater = 0, kGreaterEqual = 1, kLess = 2, kLessEqual = 3, kEqual = 4, kNotEqual = 5 };
/** Comparisons into bool (0/1 bytes), broadcast as binaryBroadcast. */
void compareBroadcast(int op, const float* a, const float* b, uint8_t* out, const long* oshape, const long* as,
                      const long* bs, int rank);
/** out[i] = cond[i] == 1 ? t[i] : e[i] (4-byte elements). */
void selectValues(const uint8_t* cond, const void* t, const void* e, void* out, long n);

/** Geometry of a 2-D max pooling (NHWC, no dilation), as tfjs's computePool2DInfo gives it. */
struct PoolGeom {
  long N, H, W, C, OH, OW, FH, FW, sh, sw, pt, pl;
};
/** Max pooling as tfjs's cpu kernel: -inf start, strict >, so NaN is skipped and an empty window gives -inf. */
void maxPool(const PoolGeom& g, const float* x, float* y);
/** dx: each window's dy added at the first position of its maximum (as tfjs's MaxPoolGrad). */
void maxPoolBackprop(const PoolGeom& g, const float* x, const float* dy, float* dx);

/**
 * tfjs's FusedBatchNorm over x (n values, channels last, C channels): each parameter has 1 or C values; offset and
 * scale may be null.
 */
void batchNorm(const float* x, long n, long C, const float* mean, long meanLen, const float* var, long varLen,
               const float* offset, long offsetLen, const float* scale, long scaleLen, float eps, float* out);

/** One Adam step, exactly as tfjs's AdamOptimizer computes it in float32, into fresh arrays. */
/** PGN gate over rows of z = [g | ĥ] (2d) and h (d): out = tanh(ĥ) + σ(g)·(h − tanh(ĥ)) (d per row). */
void pgnGate(long rows, long d, const float* z, const float* h, float* out);
/** Its gradient: dz (2d per row: dg, dĥ) and dh (d per row) from dy (d per row). */
void pgnGateGrad(long rows, long d, const float* z, const float* h, const float* dy, float* dz, float* dh);
/**
 * Causal unfold of x [rows, T, F] for a window of w earlier steps: out [rows, T, w·F], out[r, t, j·F + f] =
 * x[r, t − w + j, f] (zero before the start; the current step is not included).
 */
void causalUnfold(long rows, long T, long F, long w, const float* x, float* out);
/** Its gradient: dx [rows, T, F] from dy [rows, T, w·F]. */
void causalUnfoldGrad(long rows, long T, long F, long w, const float* dy, float* dx);
void adam(long n, const float* value, const float* m, const float* v, const float* g, float* newValue, float* newM,
          float* newV, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float oneMinusAccBeta1,
          float oneMinusAccBeta2, float negLr, float eps);

/** Fused whole-sequence GRU (Keras reset-before GRU as tfjs computes it; gates z, r, h). */
struct GruGeom {
  long B, T, D, U;
  bool goBackwards;
  int act, recAct;  // Act codes: kTanh/kSigmoid/kRelu/kLinear/kHardSigmoid
};
/**
 * Forward. x [B,T,D], W [D,3U], R [U,3U], bias [3U] or null. Writes hseq [B,T,U] (step order: with goBackwards,
 * step s reads time T-1-s) and the workspace the backward pass needs: gates [B,T,3U] (z, r, hh after activation,
 * by time), pre [B,T,2U] (z and r pre-activations), hprev [B,T,U] (state before each time).
 */
void gruForward(const GruGeom& g, const float* x, const float* W, const float* R, const float* bias, float* hseq,
                float* gates, float* pre, float* hprev);
/**
 * Backward. dy is [B,T,U] (step order) when `sequence`, else [B,U] for the last step. Writes dx [B,T,D], dW, dR,
 * dbias (may be null).
 */
void gruBackward(const GruGeom& g, const float* x, const float* W, const float* R, const float* gates, const float* pre,
                 const float* hprev, const float* dy, bool sequence, float* dx, float* dW, float* dR, float* dbias);

}  // namespace gw
