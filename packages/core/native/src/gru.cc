// Whole-sequence GRU, forward and backward, as tfjs's GRUCell computes it (reset gate applied before the recurrent
// matmul of the candidate; gates ordered z, r, h in the kernels and the bias):
//   z = recAct(x Wz + b_z + h Rz),  r = recAct(x Wr + b_r + h Rr),
//   hh = act(x Wh + b_h + (r * h) Rh),  h' = z * h + (1 - z) * hh.
// One GEMM gives the input projections of every time step; each step then needs two small GEMMs. The backward pass
// keeps the per-step gradients of the pre-activations and turns them into the weight gradients with three GEMMs at
// the end.
#include <cmath>
#include <cstring>
#include <vector>

#include "fastmath.h"
#include "gemm.h"
#include "kernels.h"

namespace gw {

namespace {

inline float actF(float v, int act) {
  switch (act) {
    case kTanh: return fastTanh(v);  // float32 forms (fastmath.h), as the Tanh and Sigmoid kernels
    case kSigmoid: return fastSigmoid(v);
    case kRelu: return v < 0.f ? 0.f : v;
    case kHardSigmoid: {
      const float y = 0.5f + 0.2f * v;
      return y < 0.f ? 0.f : (y > 1.f ? 1.f : y);
    }
    default: return v;
  }
}

// d act / d pre-activation, from the activation's output y (and its input a for hard sigmoid), as tfjs's gradients
// compute it.
inline float actGrad(float y, float a, int act) {
  switch (act) {
    case kTanh: return 1.f - y * y;
    case kSigmoid: return y * (1.f - y);
    case kRelu: return y > 0.f ? 1.f : 0.f;  // y > 0 exactly when the input is > 0
    case kHardSigmoid: {
      const float lin = 0.5f + 0.2f * a;
      return (lin >= 0.f && lin <= 1.f) ? 0.2f : 0.f;
    }
    default: return 1.f;
  }
}

}  // namespace

void gruForward(const GruGeom& g, const float* x, const float* W, const float* R, const float* bias, float* hseq,
                float* gates, float* pre, float* hprev) {
  const long B = g.B, T = g.T, D = g.D, U = g.U, G = 3 * U;
  // Input projections of all steps at once: xp [B*T, 3U] = x W + bias.
  std::vector<float> xp(static_cast<size_t>(B * T * G));
  sgemm(false, false, B * T, G, D, x, D, W, G, xp.data(), G, false);
  if (bias)
    for (long i = 0; i < B * T; ++i) {
      float* row = xp.data() + i * G;
      for (long j = 0; j < G; ++j) row[j] += bias[j];
    }
  std::vector<float> h(B * U, 0.f), zr(B * 2 * U), rh(B * U), hc(B * U);
  for (long s = 0; s < T; ++s) {
    const long tau = g.goBackwards ? T - 1 - s : s;
    // zr [B, 2U] = h R[:, :2U]
    sgemm(false, false, B, 2 * U, U, h.data(), U, R, G, zr.data(), 2 * U, false);
    for (long b = 0; b < B; ++b) {
      const float* xr = xp.data() + (b * T + tau) * G;
      float* gt = gates + (b * T + tau) * G;
      float* pr = pre + (b * T + tau) * 2 * U;
      float* hp = hprev + (b * T + tau) * U;
      const float* hb = h.data() + b * U;
      const float* zrb = zr.data() + b * 2 * U;
      float* rhb = rh.data() + b * U;
      for (long u = 0; u < U; ++u) {
        const float az = xr[u] + zrb[u];
        const float ar = xr[U + u] + zrb[U + u];
        pr[u] = az;
        pr[U + u] = ar;
        gt[u] = actF(az, g.recAct);
        const float r = actF(ar, g.recAct);
        gt[U + u] = r;
        hp[u] = hb[u];
        rhb[u] = r * hb[u];
      }
    }
    // hc [B, U] = (r * h) R[:, 2U:]
    sgemm(false, false, B, U, U, rh.data(), U, R + 2 * U, G, hc.data(), U, false);
    for (long b = 0; b < B; ++b) {
      const float* xr = xp.data() + (b * T + tau) * G;
      float* gt = gates + (b * T + tau) * G;
      float* hb = h.data() + b * U;
      const float* hcb = hc.data() + b * U;
      float* out = hseq + (b * T + s) * U;
      for (long u = 0; u < U; ++u) {
        const float hh = actF(xr[2 * U + u] + hcb[u], g.act);
        gt[2 * U + u] = hh;
        const float z = gt[u];
        const float hn = z * hb[u] + (1.f - z) * hh;
        hb[u] = hn;
        out[u] = hn;
      }
    }
  }
}

void gruBackward(const GruGeom& g, const float* x, const float* W, const float* R, const float* gates, const float* pre,
                 const float* hprev, const float* dy, bool sequence, float* dx, float* dW, float* dR, float* dbias) {
  const long B = g.B, T = g.T, D = g.D, U = g.U, G = 3 * U;
  std::vector<float> dxp(static_cast<size_t>(B * T * G));
  std::vector<float> dh(B * U, 0.f), dhp(B * U), drh(B * U);
  if (!sequence) std::memcpy(dh.data(), dy, sizeof(float) * B * U);
  for (long s = T - 1; s >= 0; --s) {
    const long tau = g.goBackwards ? T - 1 - s : s;
    if (sequence)
      for (long b = 0; b < B; ++b) {
        const float* d = dy + (b * T + s) * U;
        float* hb = dh.data() + b * U;
        for (long u = 0; u < U; ++u) hb[u] += d[u];
      }
    // Through h' = z h + (1 - z) hh and hh = act(ah).
    for (long b = 0; b < B; ++b) {
      const float* gt = gates + (b * T + tau) * G;
      const float* hp = hprev + (b * T + tau) * U;
      const float* dhb = dh.data() + b * U;
      float* dxr = dxp.data() + (b * T + tau) * G;
      float* dhpb = dhp.data() + b * U;
      for (long u = 0; u < U; ++u) {
        const float z = gt[u], hh = gt[2 * U + u], d = dhb[u];
        dxr[u] = d * (hp[u] - hh);  // dz for now
        dhpb[u] = d * z;
        dxr[2 * U + u] = d * (1.f - z) * actGrad(hh, 0.f, g.act);
      }
    }
    // d(r h) [B, U] = dah Rh^T
    sgemm(false, true, B, U, U, dxp.data() + tau * G + 2 * U, T * G, R + 2 * U, G, drh.data(), U, false);
    for (long b = 0; b < B; ++b) {
      const float* gt = gates + (b * T + tau) * G;
      const float* pr = pre + (b * T + tau) * 2 * U;
      const float* hp = hprev + (b * T + tau) * U;
      const float* drhb = drh.data() + b * U;
      float* dxr = dxp.data() + (b * T + tau) * G;
      float* dhpb = dhp.data() + b * U;
      for (long u = 0; u < U; ++u) {
        const float z = gt[u], r = gt[U + u];
        dhpb[u] += drhb[u] * r;
        dxr[U + u] = drhb[u] * hp[u] * actGrad(r, pr[U + u], g.recAct);
        dxr[u] = dxr[u] * actGrad(z, pr[u], g.recAct);
      }
    }
    // dh_prev += [daz, dar] Rzr^T
    sgemm(false, true, B, U, 2 * U, dxp.data() + tau * G, T * G, R, G, dhp.data(), U, true);
    dh.swap(dhp);
  }
  const long rows = B * T;
  // dx = dxp W^T; dW = x^T dxp; dbias = column sums of dxp.
  sgemm(false, true, rows, D, G, dxp.data(), G, W, G, dx, D, false);
  sgemm(true, false, D, G, rows, x, D, dxp.data(), G, dW, G, false);
  if (dbias) {
    std::memset(dbias, 0, sizeof(float) * G);
    for (long i = 0; i < rows; ++i) {
      const float* row = dxp.data() + i * G;
      for (long j = 0; j < G; ++j) dbias[j] += row[j];
    }
  }
  // dR[:, :2U] = hprev^T [daz, dar];  dR[:, 2U:] = (r hprev)^T dah.
  std::vector<float> rh(rows * U);
  for (long i = 0; i < rows; ++i) {
    const float* gt = gates + i * G;
    const float* hp = hprev + i * U;
    float* o = rh.data() + i * U;
    for (long u = 0; u < U; ++u) o[u] = gt[U + u] * hp[u];
  }
  sgemm(true, false, U, 2 * U, rows, hprev, U, dxp.data(), G, dR, G, false);
  sgemm(true, false, U, U, rows, rh.data(), U, dxp.data() + 2 * U, G, dR + 2 * U, G, false);
}

}  // namespace gw
