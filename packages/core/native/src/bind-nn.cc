// N-API bindings of the network kernels: matmul and its epilogue, convolution, max pooling, batch norm, the GRU.
#include "binding.h"
#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace gw::binding {

namespace {

// A batch of small products is split over the pool only from this many flops in all (about 40 µs of one core's work):
// below it, waking a worker and handing out the tasks costs about as much as the work saved (the PGN's per-group
// products of a small batch, e.g. [7, 32·4, 15] x [7, 15, 8], are a few hundred kflops).
constexpr double kBatchParallelFlops = 2.0e6;

}  // namespace

// matmul(a, b, out, batch, batchA, batchB, M, N, K, transA, transB[, accumulate]): out[i] = op(a[i % batchA])
// op(b[i % batchB]), or out[i] += that with `accumulate` (default false).
napi_value Matmul(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long batch = a.integer(3), bA = a.integer(4), bB = a.integer(5), M = a.integer(6), N = a.integer(7),
             K = a.integer(8);
  const bool tA = a.flag(9), tB = a.flag(10), acc = !a.isNull(11) && a.flag(11);
  if (!a.ok) return nullptr;
  if (bA < 1 || bB < 1) {
    a.fail("matmul batch sizes must be >= 1");
    return nullptr;
  }
  const float* A = a.f32(0, bA * M * K, "a");
  const float* B = a.f32(1, bB * K * N, "b");
  float* C = a.f32(2, batch * M * N, "out");
  if (!a.ok) return nullptr;
  const long lda = tA ? M : K, ldb = tB ? K : N;
  const double flopsEach = 2.0 * M * N * K;
  Pool& pool = Pool::instance();
  if (batch >= pool.size() && flopsEach < 2.0e7 && flopsEach * batch >= kBatchParallelFlops && pool.size() > 1) {
    // Many small products, together worth a hand-off: one product per task (split along the batch, never inside a
    // small matrix). Below the threshold the whole batch runs on the calling thread.
    pool.run(static_cast<int>(batch), [&](int i, int) {
      sgemm(tA, tB, M, N, K, A + (i % bA) * M * K, lda, B + (i % bB) * K * N, ldb, C + i * M * N, N, acc, false);
    });
  } else {
    for (long i = 0; i < batch; ++i)
      sgemm(tA, tB, M, N, K, A + (i % bA) * M * K, lda, B + (i % bB) * K * N, ldb, C + i * M * N, N, acc);
  }
  return undef(env);
}

// epilogue(y, rows, cols, bias|null, biasLen, act, alpha, prelu|null, preluLen)
napi_value Epilogue(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long rows = a.integer(1), cols = a.integer(2), biasLen = a.integer(4), act = a.integer(5);
  const double alpha = a.num(6);
  const long preluLen = a.integer(8);
  if (!a.ok) return nullptr;
  if (!a.isNull(3) && biasLen != 1 && biasLen != cols && biasLen != rows * cols) {
    a.fail("bias length must be 1, cols or rows*cols");
    return nullptr;
  }
  float* y = a.f32(0, rows * cols, "y");
  const float* bias = a.f32OrNull(3, biasLen, "bias");
  const float* prelu = a.f32OrNull(7, preluLen, "prelu");
  if (!a.ok) return nullptr;
  if (act == kPrelu && (!prelu || (preluLen != 1 && preluLen != cols))) {
    a.fail("prelu weights must have 1 or cols values");
    return nullptr;
  }
  biasActivation(y, rows, cols, bias, biasLen, static_cast<int>(act), static_cast<float>(alpha), prelu, preluLen);
  return undef(env);
}

// conv(kind, geom[15], in1, in2, out); kind 0 conv2d(x, w, y), 1 backprop input (dy, w, dx), 2 backprop filter
// (x, dy, dw), 3..5 the same for depthwise. geom = N,H,W,C, OH,OW,OC, FH,FW, sh,sw, dh,dw, pt,pl (+ CM for depthwise).
napi_value Conv(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long kind = a.integer(0);
  std::vector<long> v = a.longs(1, 15, SIZE_MAX, "conv geometry needs 15 numbers");
  if (!a.ok) return nullptr;
  ConvGeom g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], 1};
  const bool depthwise = kind >= 3;
  if (depthwise) {
    g.CM = g.C > 0 ? g.OC / g.C : 1;
    if (g.CM * g.C != g.OC) {
      a.fail("depthwise output channels must be a multiple of the input channels");
      return nullptr;
    }
  }
  if (g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1) {
    a.fail("strides and dilations must be >= 1");
    return nullptr;
  }
  const long xs = g.N * g.H * g.W * g.C, ys = g.N * g.OH * g.OW * g.OC;
  const long ws = depthwise ? g.FH * g.FW * g.C * g.CM : g.FH * g.FW * g.C * g.OC;
  // Every kind reads two inputs and writes one output; kind % 3 says which (forward, input gradient, filter gradient).
  using ConvFn = void (*)(const ConvGeom&, const float*, const float*, float*);
  static const ConvFn kernels[6] = {conv2d,          conv2dBackpropInput,    conv2dBackpropFilter,
                                    depthwiseConv2d, depthwiseBackpropInput, depthwiseBackpropFilter};
  static const char* const names[3][3] = {{"x", "filter", "output"}, {"dy", "filter", "dx"}, {"x", "dy", "dfilter"}};
  if (kind < 0 || kind > 5) {
    a.fail("unknown conv kind");
    return nullptr;
  }
  const int role = static_cast<int>(kind % 3);
  const long sizes[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  const float* in1 = a.f32(2, sizes[role][0], names[role][0]);
  const float* in2 = a.f32(3, sizes[role][1], names[role][1]);
  float* out = a.f32(4, sizes[role][2], names[role][2]);
  if (!a.ok) return nullptr;
  kernels[kind](g, in1, in2, out);
  return undef(env);
}

// maxPool(kind, geom[12], in1, in2|null, out): kind 0 forward (x -> y), 1 backprop (x, dy -> dx).
// geom = N,H,W,C, OH,OW, FH,FW, sh,sw, pt,pl.
napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long kind = a.integer(0);
  std::vector<long> v = a.longs(1, 12, 12, "maxPool geometry needs 12 numbers");
  if (!a.ok) return nullptr;
  PoolGeom g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
  if (g.sh < 1 || g.sw < 1 || g.FH < 1 || g.FW < 1) {
    a.fail("maxPool strides and filter sizes must be >= 1");
    return nullptr;
  }
  const long xs = g.N * g.H * g.W * g.C, ys = g.N * g.OH * g.OW * g.C;
  const float* x = a.f32(2, xs, "x");
  if (kind == 0) {
    float* y = a.f32(4, ys, "output");
    if (!a.ok) return nullptr;
    maxPool(g, x, y);
  } else {
    const float* dy = a.f32(3, ys, "dy");
    float* dx = a.f32(4, xs, "dx");
    if (!a.ok) return nullptr;
    maxPoolBackprop(g, x, dy, dx);
  }
  return undef(env);
}

// batchNorm(x, C, mean, variance, offset|null, scale|null, eps, out): each parameter has 1 or C values.
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long C = a.integer(1);
  const double eps = a.num(6);
  if (!a.ok) return nullptr;
  const size_t n = a.length(0, "x");
  if (!a.ok) return nullptr;
  if (C < 1 || static_cast<long>(n) % C != 0) return a.fail("batchNorm channels must divide the size of x");
  auto len = [&](size_t i) -> long {
    if (a.isNull(i)) return 0;
    napi_typedarray_type t;
    size_t l = 0;
    void* d;
    if (napi_get_typedarray_info(env, a.arg(i), &t, &l, &d, nullptr, nullptr) != napi_ok) l = 0;
    return static_cast<long>(l);
  };
  const long lm = len(2), lv = len(3), lo = len(4), ls = len(5);
  auto okLen = [&](long l, bool optional) { return (optional && l == 0) || l == 1 || l == C; };
  if (!okLen(lm, false) || !okLen(lv, false) || !okLen(lo, true) || !okLen(ls, true)) {
    a.fail("batchNorm parameters must have 1 or C values");
    return nullptr;
  }
  const float* x = a.f32(0, n, "x");
  const float* mean = a.f32(2, lm, "mean");
  const float* var = a.f32(3, lv, "variance");
  const float* offset = a.f32OrNull(4, lo, "offset");
  const float* scale = a.f32OrNull(5, ls, "scale");
  float* out = a.f32(7, n, "out");
  if (!a.ok) return nullptr;
  batchNorm(x, static_cast<long>(n), C, mean, lm, var, lv, offset, lo, scale, ls, static_cast<float>(eps), out);
  return undef(env);
}

namespace {

bool gruGeom(Args& a, size_t i, GruGeom& g) {
  std::vector<long> v = a.longs(i, 7, 7, "gru geometry needs B, T, D, U, goBackwards, act, recAct");
  if (!a.ok) return false;
  g = GruGeom{v[0], v[1], v[2], v[3], v[4] != 0, static_cast<int>(v[5]), static_cast<int>(v[6])};
  return true;
}

}  // namespace

// gruForward(geom, x, W, R, bias|null, hseq, gates, pre, hprev)
napi_value GruForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  GruGeom g;
  if (!gruGeom(a, 0, g)) return nullptr;
  const long BT = g.B * g.T, U = g.U;
  const float* x = a.f32(1, BT * g.D, "x");
  const float* W = a.f32(2, g.D * 3 * U, "kernel");
  const float* R = a.f32(3, U * 3 * U, "recurrentKernel");
  const float* bias = a.f32OrNull(4, 3 * U, "bias");
  float* hseq = a.f32(5, BT * U, "hseq");
  float* gates = a.f32(6, BT * 3 * U, "gates");
  float* pre = a.f32(7, BT * 2 * U, "pre");
  float* hprev = a.f32(8, BT * U, "hprev");
  if (!a.ok) return nullptr;
  gruForward(g, x, W, R, bias, hseq, gates, pre, hprev);
  return undef(env);
}

// gruBackward(geom, x, W, R, gates, pre, hprev, dy, sequence, dx, dW, dR, dbias|null)
napi_value GruBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  GruGeom g;
  if (!gruGeom(a, 0, g)) return nullptr;
  const bool sequence = a.flag(8);
  const long BT = g.B * g.T, U = g.U;
  const float* x = a.f32(1, BT * g.D, "x");
  const float* W = a.f32(2, g.D * 3 * U, "kernel");
  const float* R = a.f32(3, U * 3 * U, "recurrentKernel");
  const float* gates = a.f32(4, BT * 3 * U, "gates");
  const float* pre = a.f32(5, BT * 2 * U, "pre");
  const float* hprev = a.f32(6, BT * U, "hprev");
  const float* dy = a.f32(7, sequence ? BT * U : g.B * U, "dy");
  float* dx = a.f32(9, BT * g.D, "dx");
  float* dW = a.f32(10, g.D * 3 * U, "dkernel");
  float* dR = a.f32(11, U * 3 * U, "drecurrentKernel");
  float* dbias = a.f32OrNull(12, 3 * U, "dbias");
  if (!a.ok) return nullptr;
  gruBackward(g, x, W, R, gates, pre, hprev, dy, sequence, dx, dW, dR, dbias);
  return undef(env);
}

}  // namespace gw::binding
