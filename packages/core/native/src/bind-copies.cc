// N-API bindings of the data-movement kernels: slice, transpose, concat, split, pad, tile, reverse, select.
#include "binding.h"
#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace gw::binding {

// slice(x, shape, begin, size, out)
napi_value Slice(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> shape = a.longs(1);
  const char* rankError = "slice begin/size must have the rank of x";
  std::vector<long> begin = a.longs(2, shape.size(), shape.size(), rankError);
  std::vector<long> size = a.longs(3, shape.size(), shape.size(), rankError);
  if (!a.ok) return nullptr;
  const int rank = static_cast<int>(shape.size());
  for (int d = 0; d < rank; ++d)
    if (begin[d] < 0 || size[d] < 0 || begin[d] + size[d] > shape[d]) return a.fail("slice out of bounds");
  const void* x = a.any4(0, prod(shape), "x");
  void* out = a.any4(4, prod(size), "out");
  if (!a.ok) return nullptr;
  sliceCopy(x, shape.data(), begin.data(), size.data(), rank, out);
  return undef(env);
}

// transpose(x, shape, perm, out)
napi_value Transpose(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> shape = a.longs(1);
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
  std::vector<long> inners = a.longs(1);
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
  std::vector<long> inners = a.longs(1);
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

// pad(x, shape[], before[], after[], fill (1-element array of x's type), out)
napi_value Pad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::vector<long> shape = a.longs(1);
  const char* rankError = "pad needs before and after paddings for every axis";
  std::vector<long> before = a.longs(2, shape.size(), shape.size(), rankError);
  std::vector<long> after = a.longs(3, shape.size(), shape.size(), rankError);
  if (!a.ok) return nullptr;
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
  std::vector<long> shape = a.longs(1);
  std::vector<long> reps = a.longs(2, shape.size(), shape.size(), "tile needs one repeat count per axis");
  if (!a.ok) return nullptr;
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
  std::vector<long> shape = a.longs(1);
  std::vector<long> fl = a.longs(2, shape.size(), shape.size(), "reverse needs one flag per axis");
  if (!a.ok) return nullptr;
  std::vector<char> flags(fl.size());
  for (size_t d = 0; d < fl.size(); ++d) flags[d] = fl[d] != 0;
  const void* x = a.any4(0, prod(shape), "x");
  void* out = a.any4(3, prod(shape), "out");
  if (!a.ok) return nullptr;
  reverseCopy(x, shape.data(), flags.data(), static_cast<int>(shape.size()), out);
  return undef(env);
}

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

}  // namespace gw::binding
