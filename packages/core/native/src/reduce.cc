// Reductions over any axes, constant padding, tiling, elementwise ops with general broadcasting, comparisons and
// select. Numbers follow tfjs's cpu kernels: sums accumulate in double in the order of the reduced elements (the
// order the stock kernel's transpose-then-sum visits them) and are rounded once to float32; Mean divides each
// element by the count in float32 first, as the stock kernel does.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "pool.h"

namespace gw {

namespace {

constexpr long kParallelMin = 1L << 16;

/** Shape with size-1 dims dropped and neighbouring dims of the same kind (reduced or kept) merged. */
struct Groups {
  std::vector<long> size;
  std::vector<char> reduced;
};

Groups mergeAxes(const long* shape, const char* isReduced, int rank) {
  Groups g;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 1) continue;
    if (!g.size.empty() && g.reduced.back() == isReduced[d]) {
      g.size.back() *= shape[d];
    } else {
      g.size.push_back(shape[d]);
      g.reduced.push_back(isReduced[d]);
    }
  }
  return g;
}

template <typename Acc, typename Init, typename Step, typename Fin>
void reduceGeneric(const Groups& g, const float* x, float* out, long outSize, Init init, Step step, Fin fin) {
  const int r = static_cast<int>(g.size.size());
  if (r == 0) {  // a single element
    Acc a = init(x[0]);
    a = step(a, x[0]);
    out[0] = fin(a);
    return;
  }
  std::vector<Acc> acc(outSize);
  std::vector<char> started(outSize, 0);
  // Output strides of the kept groups (0 for reduced ones).
  std::vector<long> ostride(r, 0);
  long s = 1;
  for (int d = r - 1; d >= 0; --d)
    if (!g.reduced[d]) {
      ostride[d] = s;
      s *= g.size[d];
    }
  const long inner = g.size[r - 1];
  const bool innerReduced = g.reduced[r - 1] != 0;
  long rows = 1;
  for (int d = 0; d < r - 1; ++d) rows *= g.size[d];
  if (!innerReduced && r >= 2 && g.reduced[r - 2]) {
    // Kept inner run after a reduced group (bias gradients: [rows, reduced, kept]): the rows of one run of the
    // reduced group all add into the same outputs, so the output offset is found once per run. Same order of steps.
    const long run = g.size[r - 2];
    std::vector<long> oidx(r > 2 ? r - 2 : 1, 0);
    const float* row = x;
    for (long o = 0; o < rows / run; ++o) {
      long ob = 0;
      for (int d = 0; d < r - 2; ++d) ob += oidx[d] * ostride[d];
      Acc* dst = acc.data() + ob;
      if (!started[ob]) {
        for (long j = 0; j < inner; ++j) dst[j] = init(row[j]);
        started[ob] = 1;
      }
      for (long q = 0; q < run; ++q, row += inner)
        for (long j = 0; j < inner; ++j) dst[j] = step(dst[j], row[j]);
      for (int d = r - 3; d >= 0; --d) {
        if (++oidx[d] < g.size[d]) break;
        oidx[d] = 0;
      }
    }
    for (long i = 0; i < outSize; ++i) out[i] = fin(acc[i]);
    return;
  }
  std::vector<long> idx(r > 1 ? r - 1 : 1, 0);
  const float* row = x;
  for (long o = 0; o < rows; ++o, row += inner) {
    long ob = 0;
    for (int d = 0; d < r - 1; ++d) ob += idx[d] * ostride[d];
    if (innerReduced) {
      Acc a = started[ob] ? acc[ob] : init(row[0]);
      for (long j = 0; j < inner; ++j) a = step(a, row[j]);
      acc[ob] = a;
      started[ob] = 1;
    } else {
      Acc* dst = acc.data() + ob;
      if (!started[ob]) {
        for (long j = 0; j < inner; ++j) dst[j] = init(row[j]);
        started[ob] = 1;  // the whole run of `inner` outputs starts together
      }
      for (long j = 0; j < inner; ++j) dst[j] = step(dst[j], row[j]);
    }
    for (int d = r - 2; d >= 0; --d) {
      if (++idx[d] < g.size[d]) break;
      idx[d] = 0;
    }
  }
  for (long i = 0; i < outSize; ++i) out[i] = fin(acc[i]);
}

}  // namespace

void reduce(int op, const float* x, const long* shape, const char* isReduced, int rank, float* out) {
  long total = 1, outSize = 1;
  for (int d = 0; d < rank; ++d) {
    total *= shape[d];
    if (!isReduced[d]) outSize *= shape[d];
  }
  if (outSize == 0) return;
  long count = total / outSize;
  if (count == 0) {  // empty reduction: sum 0, mean NaN (0/0 as the stock kernel computes it), max -inf
    const float v = op == kRSum ? 0.f : op == kRMean ? NAN : op == kRMax ? -INFINITY : INFINITY;
    for (long i = 0; i < outSize; ++i) out[i] = v;
    return;
  }
  const Groups g = mergeAxes(shape, isReduced, rank);
  switch (op) {
    case kRSum:
      reduceGeneric<double>(
          g, x, out, outSize, [](float) { return 0.0; }, [](double a, float v) { return a + v; },
          [](double a) { return static_cast<float>(a); });
      break;
    case kRMean: {
      const float n = static_cast<float>(count);
      reduceGeneric<double>(
          g, x, out, outSize, [](float) { return 0.0; }, [n](double a, float v) { return a + (v / n); },
          [](double a) { return static_cast<float>(a); });
      break;
    }
    case kRMax:
      reduceGeneric<float>(
          g, x, out, outSize, [](float v) { return v; },
          [](float a, float v) { return (std::isnan(v) || v > a) ? v : a; }, [](float a) { return a; });
      break;
    case kRMin:
      reduceGeneric<float>(
          g, x, out, outSize, [](float v) { return v; },
          [](float a, float v) { return (std::isnan(v) || v < a) ? v : a; }, [](float a) { return a; });
      break;
  }
}

// ------------------------------------------------------------------------------------------------ pad, tile

void padConstant(const void* xv, const long* shape, const long* before, const long* after, int rank, uint32_t fill,
                 void* outv) {
  const uint32_t* x = static_cast<const uint32_t*>(xv);
  uint32_t* out = static_cast<uint32_t*>(outv);
  std::vector<long> oshape(rank), ostride(rank);
  long total = 1, xtotal = 1;
  for (int d = 0; d < rank; ++d) {
    oshape[d] = before[d] + shape[d] + after[d];
    total *= oshape[d];
    xtotal *= shape[d];
  }
  if (total == 0) return;
  if (fill == 0)
    std::memset(out, 0, total * sizeof(uint32_t));
  else
    std::fill(out, out + total, fill);
  if (xtotal == 0) return;
  if (rank == 0) {
    out[0] = x[0];
    return;
  }
  ostride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) ostride[d] = ostride[d + 1] * oshape[d + 1];
  long base = 0;
  for (int d = 0; d < rank; ++d) base += before[d] * ostride[d];
  const long run = shape[rank - 1];
  const long rows = xtotal / run;
  std::vector<long> idx(rank, 0);
  for (long o = 0; o < rows; ++o) {
    long off = base;
    for (int d = 0; d < rank - 1; ++d) off += idx[d] * ostride[d];
    std::memcpy(out + off, x + o * run, run * sizeof(uint32_t));
    for (int d = rank - 2; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

void tile(const void* xv, const long* shape, const long* reps, int rank, void* outv) {
  const uint32_t* x = static_cast<const uint32_t*>(xv);
  uint32_t* out = static_cast<uint32_t*>(outv);
  // Build the output one dim at a time from the innermost: after step d, the block of dims d.. is complete.
  // out viewed as [o0, ..., o_{r-1}] with o = shape * reps. Recursive copy via explicit blocks.
  long total = 1;
  for (int d = 0; d < rank; ++d) total *= shape[d] * reps[d];
  if (total == 0) return;
  if (rank == 0) {
    out[0] = x[0];
    return;
  }
  // inBlock[d] = elements of x below dim d (product of shape[d+1..]); outBlock[d] = same for out.
  std::vector<long> inBlock(rank + 1), outBlock(rank + 1);
  inBlock[rank] = outBlock[rank] = 1;
  for (int d = rank - 1; d >= 0; --d) {
    inBlock[d] = inBlock[d + 1] * shape[d];
    outBlock[d] = outBlock[d + 1] * shape[d] * reps[d];
  }
  // Place every innermost row of x (tiled along the last dim) at its position in the first tile, then replicate
  // blocks outward: for d from rank-1 down to 0, the first `shape[d]` sub-blocks of each dim-d block are filled;
  // copy them reps[d]-1 times.
  const long run = shape[rank - 1];
  const long rows = inBlock[0] / run;
  std::vector<long> idx(rank, 0);
  for (long o = 0; o < rows; ++o) {
    long off = 0;
    for (int d = 0; d < rank - 1; ++d) off += idx[d] * outBlock[d + 1];
    for (long k = 0; k < reps[rank - 1]; ++k) std::memcpy(out + off + k * run, x + o * run, run * sizeof(uint32_t));
    for (int d = rank - 2; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  for (int d = rank - 2; d >= 0; --d) {
    if (reps[d] == 1) continue;
    // Blocks of dim d: positions given by the indices of dims < d (within their first tile).
    const long filled = shape[d] * outBlock[d + 1];  // the first tile of this block
    long blocks = 1;
    for (int e = 0; e < d; ++e) blocks *= shape[e];
    std::vector<long> bi(d, 0);
    for (long b = 0; b < blocks; ++b) {
      long off = 0;
      for (int e = 0; e < d; ++e) off += bi[e] * outBlock[e + 1];
      for (long k = 1; k < reps[d]; ++k) std::memcpy(out + off + k * filled, out + off, filled * sizeof(uint32_t));
      for (int e = d - 1; e >= 0; --e) {
        if (++bi[e] < shape[e]) break;
        bi[e] = 0;
      }
    }
  }
}

void reverseCopy(const void* xv, const long* shape, const char* flip, int rank, void* outv) {
  const uint32_t* x = static_cast<const uint32_t*>(xv);
  uint32_t* out = static_cast<uint32_t*>(outv);
  // Neighbouring dims that are both flipped (or both kept) act as one dim.
  const Groups g = mergeAxes(shape, flip, rank);
  long total = 1;
  for (int d = 0; d < rank; ++d) total *= shape[d];
  if (total == 0) return;
  const int r = static_cast<int>(g.size.size());
  if (r == 0) {
    out[0] = x[0];
    return;
  }
  std::vector<long> stride(r);
  stride[r - 1] = 1;
  for (int d = r - 2; d >= 0; --d) stride[d] = stride[d + 1] * g.size[d + 1];
  const long inner = g.size[r - 1];
  const bool flipInner = g.reduced[r - 1] != 0;
  const long rows = total / inner;
  std::vector<long> idx(r, 0);
  for (long o = 0; o < rows; ++o) {
    long src = 0;
    for (int d = 0; d < r - 1; ++d) src += (g.reduced[d] ? g.size[d] - 1 - idx[d] : idx[d]) * stride[d];
    uint32_t* dst = out + o * inner;
    if (flipInner)
      for (long j = 0; j < inner; ++j) dst[j] = x[src + inner - 1 - j];
    else
      std::memcpy(dst, x + src, inner * sizeof(uint32_t));
    for (int d = r - 2; d >= 0; --d) {
      if (++idx[d] < g.size[d]) break;
      idx[d] = 0;
    }
  }
}

// ------------------------------------------------------------------------------------------------ broadcasting

namespace {

template <typename Out, typename F>
void broadcastLoop(F f, const float* a, const float* b, Out* out, const long* oshape, const long* as, const long* bs,
                   int rank) {
  long total = 1;
  for (int d = 0; d < rank; ++d) total *= oshape[d];
  if (total == 0) return;
  const long inner = oshape[rank - 1];
  const long sa = as[rank - 1], sb = bs[rank - 1];
  const long rows = total / inner;
  parallelRange(rows, std::max(1L, kParallelMin / inner), [&](long r0, long r1, int) {
    std::vector<long> idx(rank, 0);
    long rem = r0;
    for (int d = rank - 2; d >= 0; --d) {
      idx[d] = rem % oshape[d];
      rem /= oshape[d];
    }
    for (long r = r0; r < r1; ++r) {
      long ao = 0, bo = 0;
      for (int d = 0; d < rank - 1; ++d) {
        ao += idx[d] * as[d];
        bo += idx[d] * bs[d];
      }
      const float* pa = a + ao;
      const float* pb = b + bo;
      Out* po = out + r * inner;
      if (sa == 1 && sb == 1)
        for (long j = 0; j < inner; ++j) po[j] = f(pa[j], pb[j]);
      else if (sa == 0 && sb == 1) {
        const float av = pa[0];
        for (long j = 0; j < inner; ++j) po[j] = f(av, pb[j]);
      } else if (sa == 1 && sb == 0) {
        const float bv = pb[0];
        for (long j = 0; j < inner; ++j) po[j] = f(pa[j], bv);
      } else {
        for (long j = 0; j < inner; ++j) po[j] = f(pa[j * sa], pb[j * sb]);
      }
      for (int d = rank - 2; d >= 0; --d) {
        if (++idx[d] < oshape[d]) break;
        idx[d] = 0;
      }
    }
  });
}

}  // namespace

void binaryBroadcast(int op, const float* a, const float* b, float* out, const long* oshape, const long* as,
                     const long* bs, int rank) {
  switch (op) {
    case kAdd: broadcastLoop([](float p, float q) { return p + q; }, a, b, out, oshape, as, bs, rank); break;
    case kSub: broadcastLoop([](float p, float q) { return p - q; }, a, b, out, oshape, as, bs, rank); break;
    case kMul: broadcastLoop([](float p, float q) { return p * q; }, a, b, out, oshape, as, bs, rank); break;
    case kDiv: broadcastLoop([](float p, float q) { return p / q; }, a, b, out, oshape, as, bs, rank); break;
    case kSquaredDiff:
      broadcastLoop([](float p, float q) { const float d = p - q; return d * d; }, a, b, out, oshape, as, bs, rank);
      break;
    case kMaximum:
      broadcastLoop([](float p, float q) { return (std::isnan(p) || std::isnan(q)) ? NAN : (p > q ? p : q); }, a, b,
                    out, oshape, as, bs, rank);
      break;
    case kMinimum:
      broadcastLoop([](float p, float q) { return (std::isnan(p) || std::isnan(q)) ? NAN : (p < q ? p : q); }, a, b,
                    out, oshape, as, bs, rank);
      break;
  }
}

void compareBroadcast(int op, const float* a, const float* b, uint8_t* out, const long* oshape, const long* as,
                      const long* bs, int rank) {
  using U = uint8_t;
  switch (op) {
    case kGreater: broadcastLoop([](float p, float q) -> U { return p > q; }, a, b, out, oshape, as, bs, rank); break;
    case kGreaterEqual:
      broadcastLoop([](float p, float q) -> U { return p >= q; }, a, b, out, oshape, as, bs, rank);
      break;
    case kLess: broadcastLoop([](float p, float q) -> U { return p < q; }, a, b, out, oshape, as, bs, rank); break;
    case kLessEqual:
      broadcastLoop([](float p, float q) -> U { return p <= q; }, a, b, out, oshape, as, bs, rank);
      break;
    case kEqual: broadcastLoop([](float p, float q) -> U { return p == q; }, a, b, out, oshape, as, bs, rank); break;
    case kNotEqual:
      broadcastLoop([](float p, float q) -> U { return p != q; }, a, b, out, oshape, as, bs, rank);
      break;
  }
}

void selectValues(const uint8_t* cond, const void* tv, const void* ev, void* outv, long n) {
  const uint32_t* t = static_cast<const uint32_t*>(tv);
  const uint32_t* e = static_cast<const uint32_t*>(ev);
  uint32_t* out = static_cast<uint32_t*>(outv);
  parallelRange(n, kParallelMin, [&](long s, long f, int) {
    for (long i = s; i < f; ++i) out[i] = cond[i] == 1 ? t[i] : e[i];
  });
}

// ------------------------------------------------------------------------------------------------ max pooling

void maxPool(const PoolGeom& g, const float* x, float* y) {
  const long C = g.C;
  parallelRange(g.N * g.OH, std::max(1L, kParallelMin / std::max(1L, g.OW * C * g.FH * g.FW)), [&](long r0, long r1, int) {
    for (long r = r0; r < r1; ++r) {
      const long n = r / g.OH, oh = r % g.OH;
      const long h0 = std::max(0L, oh * g.sh - g.pt), h1 = std::min(g.H, oh * g.sh - g.pt + g.FH);
      const float* xn = x + n * g.H * g.W * C;
      for (long ow = 0; ow < g.OW; ++ow) {
        const long w0 = std::max(0L, ow * g.sw - g.pl), w1 = std::min(g.W, ow * g.sw - g.pl + g.FW);
        float* out = y + (r * g.OW + ow) * C;
        for (long c = 0; c < C; ++c) out[c] = -INFINITY;
        for (long h = h0; h < h1; ++h)
          for (long w = w0; w < w1; ++w) {
            const float* px = xn + (h * g.W + w) * C;
            for (long c = 0; c < C; ++c) out[c] = px[c] > out[c] ? px[c] : out[c];  // NaN never wins, as in tfjs
          }
      }
    }
  });
}

void maxPoolBackprop(const PoolGeom& g, const float* x, const float* dy, float* dx) {
  const long C = g.C;
  std::memset(dx, 0, g.N * g.H * g.W * C * sizeof(float));
  // Windows of different images never share an input, so images run in parallel; within an image the windows are
  // visited in order and each adds its dy to the first position holding the window's maximum.
  parallelRange(g.N, 1, [&](long n0, long n1, int) {
    std::vector<float> best(C);
    std::vector<long> pos(C);
    for (long n = n0; n < n1; ++n) {
      const float* xn = x + n * g.H * g.W * C;
      float* dxn = dx + n * g.H * g.W * C;
      for (long oh = 0; oh < g.OH; ++oh) {
        const long h0 = std::max(0L, oh * g.sh - g.pt), h1 = std::min(g.H, oh * g.sh - g.pt + g.FH);
        for (long ow = 0; ow < g.OW; ++ow) {
          const long w0 = std::max(0L, ow * g.sw - g.pl), w1 = std::min(g.W, ow * g.sw - g.pl + g.FW);
          for (long c = 0; c < C; ++c) {
            best[c] = -INFINITY;
            pos[c] = -1;
          }
          for (long h = h0; h < h1; ++h)
            for (long w = w0; w < w1; ++w) {
              const long off = (h * g.W + w) * C;
              const float* px = xn + off;
              for (long c = 0; c < C; ++c)
                if (px[c] > best[c]) {
                  best[c] = px[c];
                  pos[c] = off + c;
                }
            }
          const float* d = dy + ((n * g.OH + oh) * g.OW + ow) * C;
          for (long c = 0; c < C; ++c)
            if (pos[c] >= 0) dxn[pos[c]] += d[c];
        }
      }
    }
  });
}

}  // namespace gw
