// Epilogues (bias + activation), copy kernels, elementwise kernels and the fused Adam step. Elementwise math follows
// tfjs's cpu kernels (exp and elu in double, rounded once to float32), except tanh and sigmoid: those use the
// vectorised float32 forms of fastmath.h (within a few float32 ulps of the double result; they were 18 % of a
// multivariate TPGN training profile in double).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fastmath.h"
#include "kernels.h"
#include "pool.h"

namespace gw {

namespace {

constexpr long kParallelMin = 1L << 16;  // elements per thread before an elementwise loop is split

/**
 * Copies n 4-byte words. Runs of up to 8 words (a PGN/TPGN tensor's last axis: 1-8 features) are fixed-size copies
 * that compile to a few moves; a memcpy call costs several times more than such a copy, once per row.
 */
inline void copyWords(uint32_t* d, const uint32_t* s, long n) {
  switch (n) {
    case 1: std::memcpy(d, s, 4); return;
    case 2: std::memcpy(d, s, 8); return;
    case 3: std::memcpy(d, s, 12); return;
    case 4: std::memcpy(d, s, 16); return;
    case 5: std::memcpy(d, s, 20); return;
    case 6: std::memcpy(d, s, 24); return;
    case 7: std::memcpy(d, s, 28); return;
    case 8: std::memcpy(d, s, 32); return;
    default: std::memcpy(d, s, n * sizeof(uint32_t));
  }
}

inline float activate(float v, int act, float alpha) {
  switch (act) {
    case kRelu: return v < 0.f ? 0.f : v;
    case kRelu6: return std::min(std::max(v, 0.f), 6.f);
    case kSigmoid: return fastSigmoid(v);
    case kLeakyRelu: return v < 0.f ? alpha * v : v;
    case kElu: return v >= 0.f ? v : static_cast<float>(std::exp(static_cast<double>(v)) - 1.0);
    case kTanh: return fastTanh(v);
    case kHardSigmoid: {
      const float y = 0.5f + 0.2f * v;
      return std::min(std::max(y, 0.f), 1.f);
    }
    default: return v;
  }
}

}  // namespace

void biasActivation(float* y, long rows, long cols, const float* bias, long biasLen, int act, float alpha,
                    const float* prelu, long preluLen) {
  parallelRange(rows, std::max(1L, kParallelMin / std::max(1L, cols)), [&](long b, long e, int) {
    for (long i = b; i < e; ++i) {
      float* row = y + i * cols;
      if (bias) {
        if (biasLen == 1) {
          const float bv = bias[0];
          for (long j = 0; j < cols; ++j) row[j] += bv;
        } else if (biasLen == cols) {
          for (long j = 0; j < cols; ++j) row[j] += bias[j];
        } else {
          const float* br = bias + i * cols;
          for (long j = 0; j < cols; ++j) row[j] += br[j];
        }
      }
      if (act == kLinear) continue;
      if (act == kRelu) {
        for (long j = 0; j < cols; ++j) row[j] = row[j] < 0.f ? 0.f : row[j];
      } else if (act == kPrelu) {
        for (long j = 0; j < cols; ++j) {
          const float a = preluLen == 1 ? prelu[0] : prelu[j];
          row[j] = row[j] < 0.f ? a * row[j] : row[j];
        }
      } else if (act == kSigmoid) {
        for (long j = 0; j < cols; ++j) row[j] = fastSigmoid(row[j]);
      } else if (act == kTanh) {
        for (long j = 0; j < cols; ++j) row[j] = fastTanh(row[j]);
      } else {
        for (long j = 0; j < cols; ++j) row[j] = activate(row[j], act, alpha);
      }
    }
  });
}

// ------------------------------------------------------------------------------------------------ copies

void sliceCopy(const void* xv, const long* shape, const long* begin, const long* size, int rank, void* outv) {
  const uint32_t* x = static_cast<const uint32_t*>(xv);
  uint32_t* out = static_cast<uint32_t*>(outv);
  if (rank == 0) {
    out[0] = x[0];
    return;
  }
  std::vector<long> stride(rank);
  stride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * shape[d + 1];
  // The innermost dimension that is not taken whole starts the contiguous run.
  int k = rank - 1;
  while (k > 0 && size[k] == shape[k] && begin[k] == 0) --k;
  const long run = size[k] * stride[k];
  long outer = 1;
  for (int d = 0; d < k; ++d) outer *= size[d];
  if (run == 0 || outer == 0) return;
  std::vector<long> idx(k, 0);
  long base = 0;
  for (int d = 0; d <= k; ++d) base += begin[d] * stride[d];
  for (long o = 0; o < outer; ++o) {
    long off = base;
    for (int d = 0; d < k; ++d) off += idx[d] * stride[d];
    copyWords(out + o * run, x + off, run);
    for (int d = k - 1; d >= 0; --d) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
}

void transposeCopy(const void* xv, const long* shapeIn, const int* permIn, int rankIn, void* outv) {
  const uint32_t* x = static_cast<const uint32_t*>(xv);
  uint32_t* out = static_cast<uint32_t*>(outv);
  // Simplify: drop size-1 dims, then merge input dims that stay adjacent and in order in the output.
  std::vector<int> keep;
  std::vector<int> newIndex(rankIn, -1);
  for (int d = 0; d < rankIn; ++d)
    if (shapeIn[d] != 1) {
      newIndex[d] = static_cast<int>(keep.size());
      keep.push_back(d);
    }
  long total = 1;
  for (int d = 0; d < rankIn; ++d) total *= shapeIn[d];
  if (total == 0) return;
  std::vector<long> shp;
  for (int d : keep) shp.push_back(shapeIn[d]);
  std::vector<int> perm;
  for (int j = 0; j < rankIn; ++j)
    if (newIndex[permIn[j]] >= 0) perm.push_back(newIndex[permIn[j]]);
  // Merge: output dims j, j+1 with perm[j+1] == perm[j] + 1 form one input dim.
  {
    std::vector<std::vector<int>> groups;
    for (size_t j = 0; j < perm.size(); ++j) {
      if (!groups.empty() && groups.back().back() + 1 == perm[j])
        groups.back().push_back(perm[j]);
      else
        groups.push_back({perm[j]});
    }
    // Groups in input order give the merged input shape.
    std::vector<int> order(groups.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return groups[a][0] < groups[b][0]; });
    std::vector<int> groupInputPos(groups.size());
    std::vector<long> mshape(groups.size());
    for (size_t i = 0; i < order.size(); ++i) {
      groupInputPos[order[i]] = static_cast<int>(i);
      long s = 1;
      for (int d : groups[order[i]]) s *= shp[d];
      mshape[i] = s;
    }
    shp = mshape;
    perm.assign(groups.size(), 0);
    for (size_t j = 0; j < groups.size(); ++j) perm[j] = groupInputPos[j];
  }
  const int r = static_cast<int>(shp.size());
  if (r <= 1) {
    std::memcpy(out, x, total * sizeof(uint32_t));
    return;
  }
  std::vector<long> is(r);
  is[r - 1] = 1;
  for (int d = r - 2; d >= 0; --d) is[d] = is[d + 1] * shp[d + 1];
  std::vector<long> oshape(r), ist(r), os(r);
  for (int j = 0; j < r; ++j) {
    oshape[j] = shp[perm[j]];
    ist[j] = is[perm[j]];
  }
  os[r - 1] = 1;
  for (int j = r - 2; j >= 0; --j) os[j] = os[j + 1] * oshape[j + 1];
  if (perm[r - 1] == r - 1) {
    // The innermost dimension stays innermost: copy contiguous runs.
    const long run = oshape[r - 1];
    const long rows = total / run;
    std::vector<long> idx(r - 1, 0);
    for (long o = 0; o < rows; ++o) {
      long ib = 0;
      for (int j = 0; j < r - 1; ++j) ib += idx[j] * ist[j];
      copyWords(out + o * run, x + ib, run);
      for (int j = r - 2; j >= 0; --j) {
        if (++idx[j] < oshape[j]) break;
        idx[j] = 0;
      }
    }
    return;
  }
  // Otherwise tile the 2-D slab made of output dim b (input stride 1) and the output's last dim (output stride 1).
  int b = 0;
  while (perm[b] != r - 1) ++b;
  const int last = r - 1;
  std::vector<int> others;
  for (int j = 0; j < r; ++j)
    if (j != b && j != last) others.push_back(j);
  long outer = 1;
  for (int j : others) outer *= oshape[j];
  const long Sb = oshape[b], Sl = oshape[last], inL = ist[last], outB = os[b];
  constexpr long TB = 16;
  std::vector<long> idx(others.size(), 0);
  for (long o = 0; o < outer; ++o) {
    long ib = 0, ob = 0;
    for (size_t q = 0; q < others.size(); ++q) {
      ib += idx[q] * ist[others[q]];
      ob += idx[q] * os[others[q]];
    }
    for (long i0 = 0; i0 < Sb; i0 += TB) {
      const long i1 = std::min(Sb, i0 + TB);
      for (long j0 = 0; j0 < Sl; j0 += TB) {
        const long j1 = std::min(Sl, j0 + TB);
        for (long i = i0; i < i1; ++i) {
          uint32_t* dst = out + ob + i * outB;
          const uint32_t* src = x + ib + i;
          for (long j = j0; j < j1; ++j) dst[j] = src[j * inL];
        }
      }
    }
    for (int q = static_cast<int>(others.size()) - 1; q >= 0; --q) {
      if (++idx[q] < oshape[others[q]]) break;
      idx[q] = 0;
    }
  }
}

void concatRows(const void* const* inputs, const long* inners, int count, long outer, void* outv) {
  uint32_t* out = static_cast<uint32_t*>(outv);
  long total = 0;
  for (int k = 0; k < count; ++k) total += inners[k];
  for (long o = 0; o < outer; ++o) {
    uint32_t* dst = out + o * total;
    for (int k = 0; k < count; ++k) {
      copyWords(dst, static_cast<const uint32_t*>(inputs[k]) + o * inners[k], inners[k]);
      dst += inners[k];
    }
  }
}

void splitRows(const void* xv, const long* inners, int count, long outer, void* const* outputs) {
  const uint32_t* x = static_cast<const uint32_t*>(xv);
  long total = 0;
  for (int k = 0; k < count; ++k) total += inners[k];
  for (long o = 0; o < outer; ++o) {
    const uint32_t* src = x + o * total;
    for (int k = 0; k < count; ++k) {
      copyWords(static_cast<uint32_t*>(outputs[k]) + o * inners[k], src, inners[k]);
      src += inners[k];
    }
  }
}

// ------------------------------------------------------------------------------------------------ elementwise

namespace {
template <typename F>
void binaryLoop(F f, const float* a, const float* b, float* out, long n, int mode, long inner) {
  parallelRange(n, kParallelMin, [&](long s, long e, int) {
    switch (mode) {
      case 0: for (long i = s; i < e; ++i) out[i] = f(a[i], b[i]); break;
      case 1: { const float av = a[0]; for (long i = s; i < e; ++i) out[i] = f(av, b[i]); } break;
      case 2: { const float bv = b[0]; for (long i = s; i < e; ++i) out[i] = f(a[i], bv); } break;
      case 3: case 4: {
        // Walk [s, e) in pieces that stay inside one repeat of the `inner` values (no modulo per element).
        long i = s;
        while (i < e) {
          const long j0 = i % inner;
          const long m = std::min(e - i, inner - j0);
          const float* pa = a + i;
          const float* pb = b + i;
          float* po = out + i;
          if (mode == 3) {
            const float* pr = b + j0;
            for (long j = 0; j < m; ++j) po[j] = f(pa[j], pr[j]);
          } else {
            const float* pr = a + j0;
            for (long j = 0; j < m; ++j) po[j] = f(pr[j], pb[j]);
          }
          i += m;
        }
        break;
      }
    }
  });
}
}  // namespace

void binary(int op, const float* a, const float* b, float* out, long n, int mode, long inner) {
  switch (op) {
    case kAdd: binaryLoop([](float p, float q) { return p + q; }, a, b, out, n, mode, inner); break;
    case kSub: binaryLoop([](float p, float q) { return p - q; }, a, b, out, n, mode, inner); break;
    case kMul: binaryLoop([](float p, float q) { return p * q; }, a, b, out, n, mode, inner); break;
    case kDiv: binaryLoop([](float p, float q) { return p / q; }, a, b, out, n, mode, inner); break;
    case kSquaredDiff:
      binaryLoop([](float p, float q) { const float d = p - q; return d * d; }, a, b, out, n, mode, inner);
      break;
    case kMaximum:
      binaryLoop([](float p, float q) { return (std::isnan(p) || std::isnan(q)) ? NAN : (p > q ? p : q); }, a, b,
                 out, n, mode, inner);
      break;
    case kMinimum:
      binaryLoop([](float p, float q) { return (std::isnan(p) || std::isnan(q)) ? NAN : (p < q ? p : q); }, a, b,
                 out, n, mode, inner);
      break;
  }
}

void unary(int op, const float* xp, float* outp, long n, float alphaArg) {
  parallelRange(n, kParallelMin, [=](long s, long e, int) {
    // Local, non-aliasing copies so that the loops below compile to branch-free vector code.
    const float* __restrict x = xp;
    float* __restrict out = outp;
    const float alpha = alphaArg;
    switch (op) {
      case kUReLU: for (long i = s; i < e; ++i) out[i] = x[i] < 0.f ? 0.f : x[i]; break;
      case kURelu6: for (long i = s; i < e; ++i) out[i] = activate(x[i], kRelu6, alpha); break;
      case kUSigmoid: for (long i = s; i < e; ++i) out[i] = fastSigmoid(x[i]); break;
      case kUTanh: for (long i = s; i < e; ++i) out[i] = fastTanh(x[i]); break;
      case kUExp:
        for (long i = s; i < e; ++i) out[i] = static_cast<float>(std::exp(static_cast<double>(x[i])));
        break;
      case kUNeg: for (long i = s; i < e; ++i) out[i] = -x[i]; break;
      case kUSquare: for (long i = s; i < e; ++i) out[i] = x[i] * x[i]; break;
      case kUSqrt: for (long i = s; i < e; ++i) out[i] = std::sqrt(x[i]); break;
      case kUAbs: for (long i = s; i < e; ++i) out[i] = std::fabs(x[i]); break;
      case kUElu: for (long i = s; i < e; ++i) out[i] = activate(x[i], kElu, alpha); break;
      // Branch-free forms (the compiler vectorises them): signs of activations are close to random, so branches
      // would mispredict about half the time.
      case kULeakyRelu:
        for (long i = s; i < e; ++i) {
          const float v = x[i];
          const float l = alpha * v;
          out[i] = v < 0.f ? l : v;
        }
        break;
      case kUStep:
        for (long i = s; i < e; ++i) {
          const float v = x[i];
          const float st = v > 0.f ? 1.f : alpha;
          out[i] = v != v ? v : st;  // NaN stays NaN
        }
        break;
    }
  });
}

void batchNorm(const float* x, long n, long C, const float* mean, long meanLen, const float* var, long varLen,
               const float* offset, long offsetLen, const float* scale, long scaleLen, float eps, float* out) {
  // tfjs computes offset + (x - mean) * scale / sqrt(var + eps) in double per element; the per-channel factor
  // scale / sqrt(var + eps) is taken once here (also in double), which rounds to the same float32 results.
  std::vector<double> a(C), m(C), b(C);
  for (long c = 0; c < C; ++c) {
    const double s = scale ? scale[scaleLen == 1 ? 0 : c] : 1.0;
    a[c] = s / std::sqrt(static_cast<double>(var[varLen == 1 ? 0 : c]) + static_cast<double>(eps));
    m[c] = mean[meanLen == 1 ? 0 : c];
    b[c] = offset ? offset[offsetLen == 1 ? 0 : c] : 0.0;
  }
  const long rows = n / C;
  parallelRange(rows, std::max(1L, kParallelMin / C), [&](long r0, long r1, int) {
    for (long r = r0; r < r1; ++r) {
      const float* xr = x + r * C;
      float* o = out + r * C;
      for (long c = 0; c < C; ++c) o[c] = static_cast<float>(b[c] + (xr[c] - m[c]) * a[c]);
    }
  });
}

void adam(long n, const float* value, const float* m, const float* v, const float* g, float* newValue, float* newM,
          float* newV, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float oneMinusAccBeta1,
          float oneMinusAccBeta2, float negLr, float eps) {
  parallelRange(n, kParallelMin, [&](long s, long e, int) {
    for (long i = s; i < e; ++i) {
      const float gi = g[i];
      const float m1 = m[i] * beta1 + gi * oneMinusBeta1;
      const float v1 = v[i] * beta2 + (gi * gi) * oneMinusBeta2;
      const float mHat = m1 / oneMinusAccBeta1;
      const float vHat = v1 / oneMinusAccBeta2;
      newM[i] = m1;
      newV[i] = v1;
      newValue[i] = (mHat / (std::sqrt(vHat) + eps)) * negLr + value[i];
    }
  });
}

}  // namespace gw
