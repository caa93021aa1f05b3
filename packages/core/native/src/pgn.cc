// PGN gate kernels. The gate runs per row over d columns (d is 1-8 in the TPGN configurations), so looping over a
// row's columns gives the compiler loops too short to vectorise: the values are first gathered into contiguous spans
// (de-interleaving g and ĥ of a block of rows), and tanh, σ and the gate run as one long loop over each span, in the
// widest vector ISA the CPU has (isa.h).
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "fastmath.h"
#include "isa.h"
#include "kernels.h"
#include "pool.h"

namespace gw {

namespace {

constexpr long kParallelMin = 1L << 14;  // gate elements per thread before the rows are split among threads
constexpr long kCopyParallelMin = 1L << 16;  // unfold values per thread before the rows are split
constexpr long kSpan = 512;  // elements gathered per block (rows · d), on the stack

// The spans never overlap (__restrict__ lets the compiler vectorise without run-time overlap checks).
GW_ALWAYS_INLINE void gateSpanBody(long n, const float* __restrict__ g, const float* __restrict__ hh,
                                   const float* __restrict__ h, float* __restrict__ out) {
  for (long i = 0; i < n; ++i) {
    const float c = fastTanh(hh[i]);
    out[i] = c + fastSigmoid(g[i]) * (h[i] - c);
  }
}
GW_ISA_CLONES(gateSpan, (long n, const float* g, const float* hh, const float* h, float* out), (n, g, hh, h, out),
              gateSpanBody)

// dh = dy·σ, dg = dy·(h − c)·σ·(1 − σ), dĥ = dy·(1 − σ)·(1 − c²), c = tanh(ĥ), σ = σ(g).
GW_ALWAYS_INLINE void gateGradSpanBody(long n, const float* __restrict__ g, const float* __restrict__ hh,
                                       const float* __restrict__ h, const float* __restrict__ dy,
                                       float* __restrict__ dg, float* __restrict__ dhh, float* __restrict__ dh) {
  for (long i = 0; i < n; ++i) {
    const float c = fastTanh(hh[i]);
    const float s = fastSigmoid(g[i]);
    dh[i] = dy[i] * s;
    dg[i] = dy[i] * (h[i] - c) * (s * (1.f - s));
    dhh[i] = dy[i] * (1.f - s) * (1.f - c * c);
  }
}
GW_ISA_CLONES(gateGradSpan,
              (long n, const float* g, const float* hh, const float* h, const float* dy, float* dg, float* dhh,
               float* dh),
              (n, g, hh, h, dy, dg, dhh, dh), gateGradSpanBody)

/** Copies the g and ĥ halves of rows [r0, r1) of z (2d per row) into contiguous g and hh. */
void gatherHalves(const float* z, long d, long r0, long r1, float* g, float* hh) {
  for (long r = r0; r < r1; ++r) {
    const float* zr = z + r * 2 * d;
    std::copy(zr, zr + d, g + (r - r0) * d);
    std::copy(zr + d, zr + 2 * d, hh + (r - r0) * d);
  }
}

/** Rows [r0, r1) in blocks of at most kSpan elements (one row when d > kSpan): fn(b0, b1) per block. */
template <typename Fn>
void byBlocks(long d, long r0, long r1, Fn fn) {
  const long step = std::max(1L, kSpan / d);
  for (long b = r0; b < r1; b += step) fn(b, std::min(r1, b + step));
}

}  // namespace

int vectorIsa() {
#if defined(__x86_64__) || defined(_M_X64)
  static const int isa = [] {
    __builtin_cpu_init();
    const char* env = std::getenv("GATEWAVE_ISA");  // as for the GEMM: a narrower ISA can be forced
    int best = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") ? 2
               : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")      ? 1
                                                                                      : 0;
    if (env && (std::strcmp(env, "sse") == 0 || std::strcmp(env, "portable") == 0)) best = 0;
    if (env && std::strcmp(env, "avx2") == 0) best = std::min(best, 1);
    return best;
  }();
  return isa;
#else
  return 0;
#endif
}

void pgnGate(long rows, long d, const float* z, const float* h, float* out) {
  if (d <= 0) return;
  parallelRange(rows, std::max(1L, kParallelMin / d), [&](long r0, long r1, int) {
    if (d > kSpan) {  // rows long enough to run in place
      for (long r = r0; r < r1; ++r) gateSpan(d, z + r * 2 * d, z + r * 2 * d + d, h + r * d, out + r * d);
      return;
    }
    alignas(64) float g[kSpan], hh[kSpan];
    byBlocks(d, r0, r1, [&](long b0, long b1) {
      gatherHalves(z, d, b0, b1, g, hh);
      gateSpan((b1 - b0) * d, g, hh, h + b0 * d, out + b0 * d);
    });
  });
}

void pgnGateGrad(long rows, long d, const float* z, const float* h, const float* dy, float* dz, float* dh) {
  if (d <= 0) return;
  parallelRange(rows, std::max(1L, kParallelMin / d), [&](long r0, long r1, int) {
    if (d > kSpan) {
      for (long r = r0; r < r1; ++r) {
        const float* zr = z + r * 2 * d;
        float* dzr = dz + r * 2 * d;
        gateGradSpan(d, zr, zr + d, h + r * d, dy + r * d, dzr, dzr + d, dh + r * d);
      }
      return;
    }
    alignas(64) float g[kSpan], hh[kSpan], dg[kSpan], dhh[kSpan];
    byBlocks(d, r0, r1, [&](long b0, long b1) {
      gatherHalves(z, d, b0, b1, g, hh);
      gateGradSpan((b1 - b0) * d, g, hh, h + b0 * d, dy + b0 * d, dg, dhh, dh + b0 * d);
      for (long r = b0; r < b1; ++r) {  // scatter [dg | dĥ] back into rows of 2d
        float* dzr = dz + r * 2 * d;
        std::copy(dg + (r - b0) * d, dg + (r - b0 + 1) * d, dzr);
        std::copy(dhh + (r - b0) * d, dhh + (r - b0 + 1) * d, dzr + d);
      }
    });
  });
}

// Causal unfold: out[r, t, j·F + f] = x[r, t − w + j, f], zero before the start. The taps of a step that exist are
// consecutive steps of x, so each output row is a run of zeros and one copy.
void causalUnfold(long rows, long T, long F, long w, const float* x, float* out) {
  const long width = w * F;
  parallelRange(rows, std::max(1L, kCopyParallelMin / std::max(1L, T * width)), [&](long r0, long r1, int) {
    for (long r = r0; r < r1; ++r) {
      for (long t = 0; t < T; ++t) {
        float* o = out + (r * T + t) * width;
        const long first = std::max(0L, w - t);  // taps before the start
        std::fill(o, o + std::min(w, first) * F, 0.f);
        if (first < w) std::copy(x + (r * T + t - w + first) * F, x + (r * T + t) * F, o + first * F);
      }
    }
  });
}

// Its gradient: dx[r, s] = Σ over the steps t = s + 1 .. s + w of dy[r, t, tap s − t + w], in the order of t.
void causalUnfoldGrad(long rows, long T, long F, long w, const float* dy, float* dx) {
  const long width = w * F;
  parallelRange(rows, std::max(1L, kCopyParallelMin / std::max(1L, T * width)), [&](long r0, long r1, int) {
    std::fill(dx + r0 * T * F, dx + r1 * T * F, 0.f);
    for (long r = r0; r < r1; ++r) {
      for (long t = 0; t < T; ++t) {
        const long first = std::max(0L, w - t);
        if (first >= w) continue;
        const float* g = dy + (r * T + t) * width + first * F;
        float* d = dx + (r * T + t - w + first) * F;
        const long n = (w - first) * F;
        for (long i = 0; i < n; ++i) d[i] += g[i];
      }
    }
  });
}

}  // namespace gw
