// N-API bindings of the gatewave native kernels. Every function works on typed arrays that the JavaScript side
// allocates (outputs included) and checks their lengths, so a wrong call throws instead of touching stray memory.
#include <node_api.h>

#include "binding.h"
#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace gw::binding {

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

// causalUnfold(x, out, rows, T, F, w, backward): forward x [rows, T, F] -> out [rows, T, w·F]; backward (the
// gradient) reads dy [rows, T, w·F] from the first array and writes dx [rows, T, F] into the second.
napi_value CausalUnfold(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long rows = a.integer(2), T = a.integer(3), F = a.integer(4), w = a.integer(5);
  const bool backward = a.flag(6);
  if (!a.ok) return nullptr;
  if (rows < 0 || T < 0 || F < 0 || w < 1) {
    a.fail("causalUnfold needs rows, T, F >= 0 and w >= 1");
    return nullptr;
  }
  const long small = rows * T * F, wide = small * w;
  const float* in = a.f32(0, backward ? wide : small, backward ? "dy" : "x");
  float* out = a.f32(1, backward ? small : wide, backward ? "dx" : "out");
  if (!a.ok) return nullptr;
  if (backward)
    causalUnfoldGrad(rows, T, F, w, in, out);
  else
    causalUnfold(rows, T, F, w, in, out);
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
  const long n = static_cast<long>(a.length(0, "value"));
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

namespace {

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

}  // namespace

namespace {

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

}  // namespace

napi_value BinaryBroadcast(napi_env env, napi_callback_info info) { return broadcastKernel(env, info, false); }

napi_value Compare(napi_env env, napi_callback_info info) { return broadcastKernel(env, info, true); }

namespace {

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
      {"causalUnfold", nullptr, CausalUnfold, nullptr, nullptr, nullptr, napi_default, nullptr},
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

}  // namespace gw::binding

NAPI_MODULE(NODE_GYP_MODULE_NAME, gw::binding::Init)
