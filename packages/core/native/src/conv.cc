// Convolutions over NHWC tensors: im2col + packed GEMM for the standard convolution (in row chunks that fit in cache,
// one image or chunk per thread when there are enough, else threads inside each GEMM); direct loops for depthwise.
#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace gw {

namespace {

constexpr long kColTarget = 1L << 18;  // floats in one im2col chunk (1 MiB)

bool isPointwise(const ConvGeom& g) {
  return g.FH == 1 && g.FW == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.OH == g.H && g.OW == g.W;
}

long chunkRows(const ConvGeom& g) {
  const long K = g.FH * g.FW * g.C;
  return std::max(1L, std::min(g.OH * g.OW, kColTarget / std::max(1L, K)));
}

// Rows [r0, r1) of image n's im2col matrix (row = output position, column = (fh, fw, c)).
void im2col(const ConvGeom& g, const float* x, long n, long r0, long r1, float* col) {
  const long C = g.C;
  const float* xn = x + n * g.H * g.W * C;
  float* dst = col;
  for (long r = r0; r < r1; ++r) {
    const long oh = r / g.OW, ow = r % g.OW;
    for (long fh = 0; fh < g.FH; ++fh) {
      const long ih = oh * g.sh - g.pt + fh * g.dh;
      if (ih < 0 || ih >= g.H) {
        std::memset(dst, 0, g.FW * C * sizeof(float));
        dst += g.FW * C;
        continue;
      }
      for (long fw = 0; fw < g.FW; ++fw) {
        const long iw = ow * g.sw - g.pl + fw * g.dw;
        if (iw < 0 || iw >= g.W)
          std::memset(dst, 0, C * sizeof(float));
        else
          std::memcpy(dst, xn + (ih * g.W + iw) * C, C * sizeof(float));
        dst += C;
      }
    }
  }
}

// dx[n] += col2im(dcol rows [r0, r1)).
void col2im(const ConvGeom& g, const float* dcol, long n, long r0, long r1, float* dx) {
  const long C = g.C;
  float* dxn = dx + n * g.H * g.W * C;
  const float* src = dcol;
  for (long r = r0; r < r1; ++r) {
    const long oh = r / g.OW, ow = r % g.OW;
    for (long fh = 0; fh < g.FH; ++fh) {
      const long ih = oh * g.sh - g.pt + fh * g.dh;
      if (ih < 0 || ih >= g.H) {
        src += g.FW * C;
        continue;
      }
      for (long fw = 0; fw < g.FW; ++fw) {
        const long iw = ow * g.sw - g.pl + fw * g.dw;
        if (iw >= 0 && iw < g.W) {
          float* d = dxn + (ih * g.W + iw) * C;
          for (long c = 0; c < C; ++c) d[c] += src[c];
        }
        src += C;
      }
    }
  }
}

}  // namespace

void conv2d(const ConvGeom& g, const float* x, const float* w, float* y) {
  const long K = g.FH * g.FW * g.C, P = g.OH * g.OW;
  if (isPointwise(g)) {
    sgemm(false, false, g.N * P, g.OC, g.C, x, g.C, w, g.OC, y, g.OC, false);
    return;
  }
  const long rows = chunkRows(g), chunks = (P + rows - 1) / rows, units = g.N * chunks;
  Pool& pool = Pool::instance();
  const int T = pool.size();
  auto unit = [&](long u, float* col, bool threads) {
    const long n = u / chunks, r0 = (u % chunks) * rows, r1 = std::min(P, r0 + rows);
    im2col(g, x, n, r0, r1, col);
    sgemm(false, false, r1 - r0, g.OC, K, col, K, w, g.OC, y + (n * P + r0) * g.OC, g.OC, false, threads);
  };
  if (units >= T && T > 1 && !Pool::inTask()) {
    std::vector<std::vector<float>> cols(T, std::vector<float>(rows * K));
    pool.run(static_cast<int>(units), [&](int u, int t) { unit(u, cols[t].data(), false); });
  } else {
    std::vector<float> col(rows * K);
    for (long u = 0; u < units; ++u) unit(u, col.data(), true);
  }
}

void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const long K = g.FH * g.FW * g.C, P = g.OH * g.OW;
  if (isPointwise(g)) {
    sgemm(false, true, g.N * P, g.C, g.OC, dy, g.OC, w, g.OC, dx, g.C, false);
    return;
  }
  std::memset(dx, 0, sizeof(float) * g.N * g.H * g.W * g.C);
  const long rows = chunkRows(g);
  Pool& pool = Pool::instance();
  const int T = pool.size();
  auto image = [&](long n, float* dcol, bool threads) {
    for (long r0 = 0; r0 < P; r0 += rows) {
      const long r1 = std::min(P, r0 + rows);
      sgemm(false, true, r1 - r0, K, g.OC, dy + (n * P + r0) * g.OC, g.OC, w, g.OC, dcol, K, false, threads);
      col2im(g, dcol, n, r0, r1, dx);
    }
  };
  if (g.N >= T && T > 1 && !Pool::inTask()) {
    std::vector<std::vector<float>> cols(T, std::vector<float>(rows * K));
    pool.run(static_cast<int>(g.N), [&](int n, int t) { image(n, cols[t].data(), false); });
  } else {
    std::vector<float> dcol(rows * K);
    for (long n = 0; n < g.N; ++n) image(n, dcol.data(), true);
  }
}

void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const long K = g.FH * g.FW * g.C, P = g.OH * g.OW;
  if (isPointwise(g)) {
    sgemm(true, false, g.C, g.OC, g.N * P, x, g.C, dy, g.OC, dw, g.OC, false);
    return;
  }
  const long rows = chunkRows(g), chunks = (P + rows - 1) / rows, units = g.N * chunks;
  Pool& pool = Pool::instance();
  const int T = pool.size();
  auto unit = [&](long u, float* col, float* acc, bool first, bool threads) {
    const long n = u / chunks, r0 = (u % chunks) * rows, r1 = std::min(P, r0 + rows);
    im2col(g, x, n, r0, r1, col);
    sgemm(true, false, K, g.OC, r1 - r0, col, K, dy + (n * P + r0) * g.OC, g.OC, acc, g.OC, !first, threads);
  };
  if (units >= T && T > 1 && !Pool::inTask()) {
    std::vector<std::vector<float>> cols(T, std::vector<float>(rows * K));
    std::vector<std::vector<float>> parts(T, std::vector<float>(K * g.OC, 0.f));
    std::vector<char> used(T, 0);
    pool.run(static_cast<int>(units), [&](int u, int t) {
      unit(u, cols[t].data(), parts[t].data(), !used[t], false);
      used[t] = 1;
    });
    std::memset(dw, 0, sizeof(float) * K * g.OC);
    for (int t = 0; t < T; ++t) {
      if (!used[t]) continue;
      const float* p = parts[t].data();
      for (long i = 0; i < K * g.OC; ++i) dw[i] += p[i];
    }
  } else {
    std::vector<float> col(rows * K);
    if (units == 0) std::memset(dw, 0, sizeof(float) * K * g.OC);
    for (long u = 0; u < units; ++u) unit(u, col.data(), dw, u == 0, true);
  }
}

// The loops that the depthwise forward pass and filter gradient share: output rows (n, oh) split over the pool; for
// each output position o = (n·OH + oh)·OW + ow, `start(t, o)` once, then `tap(t, o, i, f)` for every filter tap
// f = fh·FW + fw that falls inside the input, at input position i = (n·H + ih)·W + iw (t: the worker's index).
template <class Start, class Tap>
void eachDepthwiseTap(const ConvGeom& g, Start start, Tap tap) {
  parallelRange(g.N * g.OH, 4, [&](long b, long e, int t) {
    for (long idx = b; idx < e; ++idx) {
      const long n = idx / g.OH, oh = idx % g.OH;
      for (long ow = 0; ow < g.OW; ++ow) {
        const long o = idx * g.OW + ow;
        start(t, o);
        for (long fh = 0; fh < g.FH; ++fh) {
          const long ih = oh * g.sh - g.pt + fh * g.dh;
          if (ih < 0 || ih >= g.H) continue;
          for (long fw = 0; fw < g.FW; ++fw) {
            const long iw = ow * g.sw - g.pl + fw * g.dw;
            if (iw < 0 || iw >= g.W) continue;
            tap(t, o, (n * g.H + ih) * g.W + iw, fh * g.FW + fw);
          }
        }
      }
    }
  });
}

// One tap of a depthwise product: out[c·CM + m] += xi[c] · v[c·CM + m] for every channel c and multiplier m.
inline void depthwiseTap(const float* xi, const float* v, float* out, long C, long CM) {
  if (CM == 1) {
    for (long c = 0; c < C; ++c) out[c] += xi[c] * v[c];
  } else {
    for (long c = 0; c < C; ++c)
      for (long m = 0; m < CM; ++m) out[c * CM + m] += xi[c] * v[c * CM + m];
  }
}

void depthwiseConv2d(const ConvGeom& g, const float* x, const float* w, float* y) {
  const long C = g.C, CM = g.CM, OC = C * CM;
  eachDepthwiseTap(
      g, [&](int, long o) { std::memset(y + o * OC, 0, OC * sizeof(float)); },
      [&](int, long o, long i, long f) { depthwiseTap(x + i * C, w + f * OC, y + o * OC, C, CM); });
}

void depthwiseBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const long C = g.C, CM = g.CM, OC = C * CM;
  parallelRange(g.N * g.H, 4, [&](long b, long e, int) {
    for (long idx = b; idx < e; ++idx) {
      const long n = idx / g.H, ih = idx % g.H;
      for (long iw = 0; iw < g.W; ++iw) {
        float* d = dx + ((n * g.H + ih) * g.W + iw) * C;
        std::memset(d, 0, C * sizeof(float));
        for (long fh = 0; fh < g.FH; ++fh) {
          const long t = ih + g.pt - fh * g.dh;
          if (t < 0 || t % g.sh != 0 || t / g.sh >= g.OH) continue;
          const long oh = t / g.sh;
          for (long fw = 0; fw < g.FW; ++fw) {
            const long u = iw + g.pl - fw * g.dw;
            if (u < 0 || u % g.sw != 0 || u / g.sw >= g.OW) continue;
            const long ow = u / g.sw;
            const float* dyo = dy + ((n * g.OH + oh) * g.OW + ow) * OC;
            const float* wf = w + (fh * g.FW + fw) * OC;
            if (CM == 1) {
              for (long c = 0; c < C; ++c) d[c] += dyo[c] * wf[c];
            } else {
              for (long c = 0; c < C; ++c) {
                float s = 0.f;
                for (long m = 0; m < CM; ++m) s += dyo[c * CM + m] * wf[c * CM + m];
                d[c] += s;
              }
            }
          }
        }
      }
    }
  });
}

void depthwiseBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const long C = g.C, CM = g.CM, OC = C * CM, F = g.FH * g.FW * OC;
  const int T = Pool::instance().size();
  std::vector<std::vector<float>> parts(T, std::vector<float>(F, 0.f));
  eachDepthwiseTap(
      g, [](int, long) {},
      [&](int t, long o, long i, long f) { depthwiseTap(x + i * C, dy + o * OC, parts[t].data() + f * OC, C, CM); });
  std::memset(dw, 0, F * sizeof(float));
  for (int t = 0; t < T; ++t) {
    const float* p = parts[t].data();
    for (long i = 0; i < F; ++i) dw[i] += p[i];
  }
}

}  // namespace gw
