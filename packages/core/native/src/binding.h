// What the N-API binding files share: argument reading and checking (Args) and the binding functions' declarations.
// The bindings are split by family: bind-copies.cc (data movement), bind-nn.cc (matmul, convolution, pooling,
// normalisation, GRU) and addon.cc (elementwise, reductions, the optimizer, module registration).
#pragma once

#include <node_api.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace gw::binding {

inline std::vector<long> toLongs(const std::vector<double>& v) { return std::vector<long>(v.begin(), v.end()); }

struct Args {
  napi_env env;
  napi_value argv[16];
  size_t argc = 16;
  bool ok = true;

  Args(napi_env e, napi_callback_info info) : env(e) {
    if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) fail("bad call");
  }
  // Throws `msg` in JS (only the first failure of a call is thrown); returns nullptr, so a binding can
  // `return a.fail(...)`.
  napi_value fail(const std::string& msg) {
    if (ok) napi_throw_error(env, "GATEWAVE_NATIVE", ("gatewave native: " + msg).c_str());
    ok = false;
    return nullptr;
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
  // Array argument i as integers (shapes, strides, geometry).
  std::vector<long> longs(size_t i) { return toLongs(nums(i)); }
  // The same, with `min` to `max` values; else fails with `msg`.
  std::vector<long> longs(size_t i, size_t min, size_t max, const char* msg) {
    std::vector<long> v = longs(i);
    if (ok && (v.size() < min || v.size() > max)) fail(msg);
    return v;
  }
  // The element count of typed-array argument i (0 after a failure); `what` names it in the error.
  size_t length(size_t i, const char* what) {
    napi_value v = arg(i);
    napi_typedarray_type t;
    size_t n = 0;
    void* d;
    if (v && napi_get_typedarray_info(env, v, &t, &n, &d, nullptr, nullptr) != napi_ok) {
      fail(std::string(what) + " must be a Float32Array");
      return 0;
    }
    return n;
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

inline napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

inline long prod(const std::vector<long>& v) {
  long p = 1;
  for (long x : v) p *= x;
  return p;
}

napi_value Slice(napi_env env, napi_callback_info info);
napi_value Transpose(napi_env env, napi_callback_info info);
napi_value Concat(napi_env env, napi_callback_info info);
napi_value Split(napi_env env, napi_callback_info info);
napi_value Pad(napi_env env, napi_callback_info info);
napi_value Tile(napi_env env, napi_callback_info info);
napi_value Reverse(napi_env env, napi_callback_info info);
napi_value Select(napi_env env, napi_callback_info info);
napi_value Matmul(napi_env env, napi_callback_info info);
napi_value Epilogue(napi_env env, napi_callback_info info);
napi_value Conv(napi_env env, napi_callback_info info);
napi_value MaxPool(napi_env env, napi_callback_info info);
napi_value BatchNorm(napi_env env, napi_callback_info info);
napi_value GruForward(napi_env env, napi_callback_info info);
napi_value GruBackward(napi_env env, napi_callback_info info);
napi_value Info(napi_env env, napi_callback_info info);
napi_value SetIsa(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Unary(napi_env env, napi_callback_info info);
napi_value PgnGate(napi_env env, napi_callback_info info);
napi_value PgnGateGrad(napi_env env, napi_callback_info info);
napi_value CausalUnfold(napi_env env, napi_callback_info info);
napi_value Adam(napi_env env, napi_callback_info info);
napi_value Reduce(napi_env env, napi_callback_info info);
napi_value BinaryBroadcast(napi_env env, napi_callback_info info);
napi_value Compare(napi_env env, napi_callback_info info);

}  // namespace gw::binding
