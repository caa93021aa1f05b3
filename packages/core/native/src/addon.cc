// N-API bindings of the gatewave native kernels. Every function works on typed arrays that the JavaScript side
// allocates (outputs included) and checks their lengths, so a wrong call throws instead of touching stray memory.
#include <node_api.h>

#include <cstring>
#include <string>
#include <vector>

#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace {

using namespace gw;

struct Args {
  napi_env env;
  napi_value argv[16];
  size_t argc = 16;
  bool ok = true;

  Args(napi_env e, napi_callback_info info) : env(e) {
    if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) fail("bad call");
  }
  void fail(const std::string& msg) {
    if (ok) napi_throw_error(env, "GATEWAVE_NATIVE", ("gatewave native: " + msg).c_str());
    ok = false;
  }
  napi_value arg(size_t i) {
    if (i >= argc) {
      fail("missing argument " + std::to_string(i));
      return nullptr;
    }
    return argv[i];
  }
  bool isNull(size_t i) {
    if (i >= argc) return true;
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    return t == napi_null || t == napi_undefined;
  }
  // A Float32Array or Int32Array (4-byte elements) with at least `need` elements.
  void* data4(napi_value v, size_t need, bool floatOnly, const char* what) {
    if (!ok || !v) return nullptr;
    bool is = false;
    napi_is_typedarray(env, v, &is);
    if (!is) {
      fail(std::string(what) + " must be a typed array");
      return nullptr;
    }
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr);
    if (type != napi_float32_array && (floatOnly || (type != napi_int32_array && type != napi_uint32_array))) {
      fail(std::string(what) + (floatOnly ? " must be a Float32Array" : " must have 4-byte elements"));
      return nullptr;
    }
    if (length < need) {
      fail(std::string(what) + " has " + std::to_string(length) + " elements, needs " + std::to_string(need));
      return nullptr;
    }
    return data;
  }
  // A Uint8Array (tfjs's bool values) with at least `need` elements.
  uint8_t* u8(size_t i, size_t need, const char* what) {
    napi_value v = arg(i);
    if (!ok || !v) return nullptr;
    bool is = false;
    napi_is_typedarray(env, v, &is);
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (is) napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr);
    if (!is || type != napi_uint8_array) {
      fail(std::string(what) + " must be a Uint8Array");
      return nullptr;
    }
    if (length < need) {
      fail(std::string(what) + " has " + std::to_string(length) + " elements, needs " + std::to_string(need));
      return nullptr;
    }
    return static_cast<uint8_t*>(data);
  }
  float* f32(size_t i, size_t need, const char* what) {
    return static_cast<float*>(data4(arg(i), need, true, what));
  }
  float* f32OrNull(size_t i, size_t need, const char* what) { return isNull(i) ? nullptr : f32(i, need, what); }
  void* any4(size_t i, size_t need, const char* what) { return data4(arg(i), need, false, what); }
  double num(size_t i) {
    double d = 0;
    napi_value v = arg(i);
    if (v && napi_get_value_double(env, v, &d) != napi_ok) fail("argument " + std::to_string(i) + " must be a number");
    return d;
  }
  long integer(size_t i) {
    const double d = num(i);
    if (ok && (d < 0 || d != static_cast<double>(static_cast<long>(d))))
      fail("argument " + std::to_string(i) + " must be a non-negative integer");
    return static_cast<long>(d);
  }
  bool flag(size_t i) {
    bool b = false;
    napi_value v = arg(i);
    if (v && napi_get_value_bool(env, v, &b) != napi_ok) fail("argument " + std::to_string(i) + " must be a boolean");
    return b;
  }
  std::vector<double> nums(size_t i) {
    const std::vector<napi_value> items = values(i, "an array of numbers");
    std::vector<double> out(items.size());
    for (size_t k = 0; k < items.size(); ++k)
      if (napi_get_value_double(env, items[k], &out[k]) != napi_ok) fail("argument " + std::to_string(i) + " has a non-number");
    return out;
  }
  /** The elements of array argument i (none when it is absent); `what` names the expected type in the error. */
  std::vector<napi_value> values(size_t i, const char* what = "an array") {
    std::vector<napi_value> out;
    napi_value v = arg(i);
    if (!v) return out;
    bool isArr = false;
    napi_is_array(env, v, &isArr);
    if (!isArr) {
      fail("argument " + std::to_string(i) + " must be " + what);
      return out;
    }
    uint32_t n = 0;
    napi_get_array_length(env, v, &n);
    out.resize(n);
    for (uint32_t k = 0; k < n; ++k) napi_get_element(env, v, k, &out[k]);
    return out;
  }
};

napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

long prod(const std::vector<long>& v) {
  long p = 1;
  for (long x : v) p *= x;
  return p;
}

std::vector<long> toLongs(const std::vector<double>& v) { return std::vector<long>(v.begin(), v.end()); }

// info() -> { isa, threads }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, isa, threads;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, gemmIsa(), NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, Pool::instance().size(), &threads);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "threads", threads);
  return obj;
}

// setIsa(name) -> boolean
napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args a(env, info);
  char buf[32] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, a.arg(0), buf, sizeof(buf), &len) != napi_ok) {
    a.fail("setIsa needs a string");
    return nullptr;
  }
  napi_value r;
  napi_get_boolean(env, gemmSetIsa(buf), &r);
  return r;
}

// A batch of small products is split over the pool only from this many flops in all (about 40 µs of one core's work):
// below it, waking a worker and handing out the tasks costs about as much as the work saved (the PGN's per-group
// products of a small batch, e.g. [7, 32·4, 15] x [7, 15, 8], are a few hundred kflops).
constexpr double kBatchParallelFlops = 2.0e6;

// matmul(a, b, out, batch, batchA, batchB, M, N, K, transA, transB): out[i] = op(a[i % batchA]) op(b[i % batchB]).
napi_value Matmul(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long batch = a.integer(3), bA = a.integer(4), bB = a.integer(5), M = a.integer(6), N = a.integer(7),
             K = a.integer(8);
  const bool tA = a.flag(9), tB = a.flag(10);
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
      sgemm(tA, tB, M, N, K, A + (i % bA) * M * K, lda, B + (i % bB) * K * N, ldb, C + i * M * N, N, false, false);
    });
  } else {
    for (long i = 0; i < batch; ++i)
      sgemm(tA, tB, M, N, K, A + (i % bA) * M * K, lda, B + (i % bB) * K * N, ldb, C + i * M * N, N, false);
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
  std::vector<long> v = toLongs(a.nums(1));
  if (!a.ok) return nullptr;
  if (v.size() < 15) {
    a.fail("conv geometry needs 15 numbers");
    return nullptr;
  }
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

// slice(x, shape, begin, size, out)
napi_value Slice(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> shape = toLongs(a.nums(1)), begin = toLongs(a.nums(2)), size = toLongs(a.nums(3));
  if (!a.ok) return nullptr;
  const int rank = static_cast<int>(shape.size());
  if (begin.size() != shape.size() || size.size() != shape.size()) {
    a.fail("slice begin/size must have the rank of x");
    return nullptr;
  }
  for (int d = 0; d < rank; ++d)
    if (begin[d] < 0 || size[d] < 0 || begin[d] + size[d] > shape[d]) {
      a.fail("slice out of bounds");
      return nullptr;
    }
  const void* x = a.any4(0, prod(shape), "x");
  void* out = a.any4(4, prod(size), "out");
  if (!a.ok) return nullptr;
  sliceCopy(x, shape.data(), begin.data(), size.data(), rank, out);
  return undef(env);
}

// transpose(x, shape, perm, out)
napi_value Transpose(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> shape = toLongs(a.nums(1));
  std::vector<double> permD = a.nums(2);
  if (!a.ok) return nullptr;
  const int rank = static_cast<int>(shape.size());
  std::vector<int> perm(permD.begin(), permD.end());
  std::vector<char> seen(rank, 0);
  bool valid = static_cast<int>(perm.size()) == rank;
  for (int p : perm) {
    if (p < 0 || p >= rank || seen[p]) valid = false;
    else seen[p] = 1;
  }
  if (!valid) {
    a.fail("transpose perm must be a permutation of the axes");
    return nullptr;
  }
  const void* x = a.any4(0, prod(shape), "x");
  void* out = a.any4(3, prod(shape), "out");
  if (!a.ok) return nullptr;
  transposeCopy(x, shape.data(), perm.data(), rank, out);
  return undef(env);
}

// concat(inputs[], inners[], outer, out)
napi_value Concat(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<napi_value> ins = a.values(0);
  std::vector<long> inners = toLongs(a.nums(1));
  const long outer = a.integer(2);
  if (!a.ok) return nullptr;
  if (ins.size() != inners.size()) {
    a.fail("concat needs one inner size per input");
    return nullptr;
  }
  std::vector<const void*> ptrs(ins.size());
  for (size_t k = 0; k < ins.size(); ++k) ptrs[k] = a.data4(ins[k], outer * inners[k], false, "input");
  long total = 0;
  for (long s : inners) total += s;
  void* out = a.any4(3, outer * total, "out");
  if (!a.ok) return nullptr;
  concatRows(ptrs.data(), inners.data(), static_cast<int>(ptrs.size()), outer, out);
  return undef(env);
}

// split(x, inners[], outer, outputs[])
napi_value Split(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> inners = toLongs(a.nums(1));
  const long outer = a.integer(2);
  std::vector<napi_value> outs = a.values(3);
  if (!a.ok) return nullptr;
  if (outs.size() != inners.size()) {
    a.fail("split needs one inner size per output");
    return nullptr;
  }
  long total = 0;
  for (long s : inners) total += s;
  const void* x = a.any4(0, outer * total, "x");
  std::vector<void*> ptrs(outs.size());
  for (size_t k = 0; k < outs.size(); ++k) ptrs[k] = a.data4(outs[k], outer * inners[k], false, "output");
  if (!a.ok) return nullptr;
  splitRows(x, inners.data(), static_cast<int>(ptrs.size()), outer, ptrs.data());
  return undef(env);
}

// binary(op, a, b, out, n, mode, inner)
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long op = a.integer(0), n = a.integer(4), mode = a.integer(5), inner = a.integer(6);
  if (!a.ok) return nullptr;
  if (mode > 4 || ((mode == 3 || mode == 4) && (inner < 1 || n % inner != 0))) {
    a.fail("bad broadcast mode");
    return nullptr;
  }
  const long na = mode == 1 ? 1 : mode == 4 ? inner : n;
  const long nb = mode == 2 ? 1 : mode == 3 ? inner : n;
  const float* A = a.f32(1, na, "a");
  const float* B = a.f32(2, nb, "b");
  float* out = a.f32(3, n, "out");
  if (!a.ok) return nullptr;
  binary(static_cast<int>(op), A, B, out, n, static_cast<int>(mode), inner);
  return undef(env);
}

// unary(op, x, out, n, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long op = a.integer(0), n = a.integer(3);
  const double alpha = a.num(4);
  const float* x = a.f32(1, n, "x");
  float* out = a.f32(2, n, "out");
  if (!a.ok) return nullptr;
  unary(static_cast<int>(op), x, out, n, static_cast<float>(alpha));
  return undef(env);
}

// pgnGate(z, h, out, rows, d): out = tanh(ĥ) + σ(g)·(h − tanh(ĥ)) per row, z = [g | ĥ].
napi_value PgnGate(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long rows = a.integer(3), d = a.integer(4);
  if (!a.ok) return nullptr;
  const float* z = a.f32(0, rows * 2 * d, "z");
  const float* h = a.f32(1, rows * d, "h");
  float* out = a.f32(2, rows * d, "out");
  if (!a.ok) return nullptr;
  pgnGate(rows, d, z, h, out);
  return undef(env);
}

// pgnGateGrad(z, h, dy, dz, dh, rows, d)
napi_value PgnGateGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long rows = a.integer(5), d = a.integer(6);
  if (!a.ok) return nullptr;
  const float* z = a.f32(0, rows * 2 * d, "z");
  const float* h = a.f32(1, rows * d, "h");
  const float* dy = a.f32(2, rows * d, "dy");
  float* dz = a.f32(3, rows * 2 * d, "dz");
  float* dh = a.f32(4, rows * d, "dh");
  if (!a.ok) return nullptr;
  pgnGateGrad(rows, d, z, h, dy, dz, dh);
  return undef(env);
}

// adam(value, m, v, g, newValue, newM, newV, [beta1, 1-beta1, beta2, 1-beta2, 1-accBeta1, 1-accBeta2, -lr, eps])
napi_value Adam(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<double> p = a.nums(7);
  if (!a.ok) return nullptr;
  if (p.size() != 8) {
    a.fail("adam needs 8 parameters");
    return nullptr;
  }
  size_t len = 0;
  {
    napi_typedarray_type t;
    void* d;
    if (napi_get_typedarray_info(env, a.arg(0), &t, &len, &d, nullptr, nullptr) != napi_ok) {
      a.fail("value must be a Float32Array");
      return nullptr;
    }
  }
  const long n = static_cast<long>(len);
  const float* value = a.f32(0, n, "value");
  const float* m = a.f32(1, n, "m");
  const float* v = a.f32(2, n, "v");
  const float* g = a.f32(3, n, "gradient");
  float* nv = a.f32(4, n, "newValue");
  float* nm = a.f32(5, n, "newM");
  float* nvv = a.f32(6, n, "newV");
  if (!a.ok) return nullptr;
  auto f = [&](int i) { return static_cast<float>(p[i]); };
  adam(n, value, m, v, g, nv, nm, nvv, f(0), f(1), f(2), f(3), f(4), f(5), f(6), f(7));
  return undef(env);
}

// reduce(op, x, shape[], reduced[] (0/1 per axis), out)
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long op = a.integer(0);
  std::vector<long> shape = toLongs(a.nums(2));
  std::vector<double> red = a.nums(3);
  if (!a.ok) return nullptr;
  if (op > kRMin || red.size() != shape.size()) {
    a.fail("reduce needs a known op and one reduced flag per axis");
    return nullptr;
  }
  std::vector<char> flags(red.size());
  long outSize = 1;
  for (size_t d = 0; d < red.size(); ++d) {
    flags[d] = red[d] != 0;
    if (!flags[d]) outSize *= shape[d];
  }
  const float* x = a.f32(1, prod(shape), "x");
  float* out = a.f32(4, outSize, "out");
  if (!a.ok) return nullptr;
  reduce(static_cast<int>(op), x, shape.data(), flags.data(), static_cast<int>(shape.size()), out);
  return undef(env);
}

// pad(x, shape[], before[], after[], fill (1-element array of x's type), out)
napi_value Pad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> shape = toLongs(a.nums(1)), before = toLongs(a.nums(2)), after = toLongs(a.nums(3));
  if (!a.ok) return nullptr;
  if (before.size() != shape.size() || after.size() != shape.size()) {
    a.fail("pad needs before and after paddings for every axis");
    return nullptr;
  }
  long total = 1;
  for (size_t d = 0; d < shape.size(); ++d) total *= before[d] + shape[d] + after[d];
  const void* x = a.any4(0, prod(shape), "x");
  const uint32_t* fill = static_cast<const uint32_t*>(a.any4(4, 1, "fill"));
  void* out = a.any4(5, total, "out");
  if (!a.ok) return nullptr;
  padConstant(x, shape.data(), before.data(), after.data(), static_cast<int>(shape.size()), fill[0], out);
  return undef(env);
}

// tile(x, shape[], reps[], out)
napi_value Tile(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> shape = toLongs(a.nums(1)), reps = toLongs(a.nums(2));
  if (!a.ok) return nullptr;
  if (reps.size() != shape.size()) {
    a.fail("tile needs one repeat count per axis");
    return nullptr;
  }
  long total = 1;
  for (size_t d = 0; d < shape.size(); ++d) total *= shape[d] * reps[d];
  const void* x = a.any4(0, prod(shape), "x");
  void* out = a.any4(3, total, "out");
  if (!a.ok) return nullptr;
  tile(x, shape.data(), reps.data(), static_cast<int>(shape.size()), out);
  return undef(env);
}

// reverse(x, shape[], flip[] (0/1 per axis), out)
napi_value Reverse(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> shape = toLongs(a.nums(1));
  std::vector<double> fl = a.nums(2);
  if (!a.ok) return nullptr;
  if (fl.size() != shape.size()) {
    a.fail("reverse needs one flag per axis");
    return nullptr;
  }
  std::vector<char> flags(fl.size());
  for (size_t d = 0; d < fl.size(); ++d) flags[d] = fl[d] != 0;
  const void* x = a.any4(0, prod(shape), "x");
  void* out = a.any4(3, prod(shape), "out");
  if (!a.ok) return nullptr;
  reverseCopy(x, shape.data(), flags.data(), static_cast<int>(shape.size()), out);
  return undef(env);
}

// Checks a broadcast geometry (output shape, strides of a and b) and returns the elements a and b must have.
bool broadcastGeom(Args& a, size_t i, std::vector<long>& oshape, std::vector<long>& as, std::vector<long>& bs,
                   long& na, long& nb) {
  oshape = toLongs(a.nums(i));
  as = toLongs(a.nums(i + 1));
  bs = toLongs(a.nums(i + 2));
  if (!a.ok) return false;
  if (oshape.empty() || as.size() != oshape.size() || bs.size() != oshape.size()) {
    a.fail("broadcast geometry needs an output shape (rank >= 1) and strides of a and b per axis");
    return false;
  }
  na = nb = 1;
  for (size_t d = 0; d < oshape.size(); ++d) {
    if (oshape[d] == 0) {
      na = nb = 0;
      return true;
    }
    na += (oshape[d] - 1) * as[d];
    nb += (oshape[d] - 1) * bs[d];
  }
  return true;
}

// binaryBroadcast(op, a, b, out, oshape[], aStrides[], bStrides[]), and compare(...) with the same arguments and a
// Uint8Array out (0/1): one argument check for both.
napi_value broadcastKernel(napi_env env, napi_callback_info info, bool comparison) {
  Args a(env, info);
  const int op = static_cast<int>(a.integer(0));
  std::vector<long> oshape, as, bs;
  long na, nb;
  if (!a.ok || !broadcastGeom(a, 4, oshape, as, bs, na, nb)) return nullptr;
  const float* A = a.f32(1, na, "a");
  const float* B = a.f32(2, nb, "b");
  const long n = prod(oshape);
  const int rank = static_cast<int>(oshape.size());
  if (comparison) {
    uint8_t* out = a.u8(3, n, "out");
    if (!a.ok) return nullptr;
    compareBroadcast(op, A, B, out, oshape.data(), as.data(), bs.data(), rank);
  } else {
    float* out = a.f32(3, n, "out");
    if (!a.ok) return nullptr;
    binaryBroadcast(op, A, B, out, oshape.data(), as.data(), bs.data(), rank);
  }
  return undef(env);
}

napi_value BinaryBroadcast(napi_env env, napi_callback_info info) { return broadcastKernel(env, info, false); }
napi_value Compare(napi_env env, napi_callback_info info) { return broadcastKernel(env, info, true); }

// select(condition (Uint8Array), t, e, out, n)
napi_value Select(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long n = a.integer(4);
  const uint8_t* cond = a.u8(0, n, "condition");
  const void* t = a.any4(1, n, "t");
  const void* e = a.any4(2, n, "e");
  void* out = a.any4(3, n, "out");
  if (!a.ok) return nullptr;
  selectValues(cond, t, e, out, n);
  return undef(env);
}

// maxPool(kind, geom[12], in1, in2|null, out): kind 0 forward (x -> y), 1 backprop (x, dy -> dx).
// geom = N,H,W,C, OH,OW, FH,FW, sh,sw, pt,pl.
napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long kind = a.integer(0);
  std::vector<long> v = toLongs(a.nums(1));
  if (!a.ok) return nullptr;
  if (v.size() != 12) {
    a.fail("maxPool geometry needs 12 numbers");
    return nullptr;
  }
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
  size_t n = 0;
  {
    napi_typedarray_type t;
    void* d;
    if (napi_get_typedarray_info(env, a.arg(0), &t, &n, &d, nullptr, nullptr) != napi_ok) {
      a.fail("x must be a Float32Array");
      return nullptr;
    }
  }
  if (C < 1 || static_cast<long>(n) % C != 0) {
    a.fail("batchNorm channels must divide the size of x");
    return nullptr;
  }
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

bool gruGeom(Args& a, size_t i, GruGeom& g) {
  std::vector<long> v = toLongs(a.nums(i));
  if (!a.ok) return false;
  if (v.size() != 7) {
    a.fail("gru geometry needs B, T, D, U, goBackwards, act, recAct");
    return false;
  }
  g = GruGeom{v[0], v[1], v[2], v[3], v[4] != 0, static_cast<int>(v[5]), static_cast<int>(v[6])};
  return true;
}

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

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"epilogue", nullptr, Epilogue, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"slice", nullptr, Slice, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, Concat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"split", nullptr, Split, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pgnGate", nullptr, PgnGate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pgnGateGrad", nullptr, PgnGateGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reverse", nullptr, Reverse, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pad", nullptr, Pad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tile", nullptr, Tile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binaryBroadcast", nullptr, BinaryBroadcast, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"compare", nullptr, Compare, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"select", nullptr, Select, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gruForward", nullptr, GruForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gruBackward", nullptr, GruBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
