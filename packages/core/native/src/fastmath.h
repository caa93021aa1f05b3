// float32 exp, tanh and sigmoid written so that loops over them vectorise (no calls, no branches, no libm), accurate
// to a few float32 ulps (relative error below 1e-6 over the whole float range; tests compare with Math.tanh/exp).
//
// exp: x = n·ln2 + r with |r| <= ln2/2 (ln2 in two parts, so r is exact), e^r by a degree-6 polynomial, 2^n built
// from exponent bits as two factors so that results down to the denormals (x >= -103.9) round correctly.
// tanh: |x| < 0.625: the odd series x + x^3·P(x^2); otherwise sign(x)·(1 − 2/(e^{2|x|} + 1)), which has no
// cancellation there. sigmoid: with e = e^{−|x|} (never overflows), 1/(1 + e) for x >= 0 and e/(1 + e) below.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace gw {

inline float bitsToFloat(int32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline float fastExp(float x) {
  const float hi = 88.72283935546875f;  // above this e^x rounds to infinity in float32
  const float lo = -103.98f;  // e^lo is below the smallest denormal / 2
  float xc = x < lo ? lo : x;  // ternaries, not fmin/fmax: those are calls that stop vectorisation
  xc = xc > hi ? hi : xc;
  // Round x·log2(e) to the nearest integer by adding and subtracting 1.5·2^23 (vectorises; no rounding calls).
  const float shifter = 12582912.f;
  const float n = (xc * 1.44269504088896341f + shifter) - shifter;
  const float r = (xc - n * 0.693359375f) - n * -2.12194440e-4f;
  const float r2 = r * r;
  const float p =
      ((((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r +
         1.6666665459e-1f) *
            r +
        5.0000001201e-1f) *
           r2 +
       r) +
      1.f;
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t half = ni / 2;  // 2^n = 2^half · 2^(n − half); each factor is a normal float for n in [-150, 128]
  const float s1 = bitsToFloat((half + 127) << 23);
  const float s2 = bitsToFloat((ni - half + 127) << 23);
  float y = (p * s1) * s2;
  y = x > hi ? INFINITY : y;
  y = x < lo ? 0.f : y;
  return x != x ? x : y;  // NaN stays NaN
}

inline float fastTanh(float x) {
  const float ax = std::fabs(x);
  const float x2 = x * x;
  const float series =
      x + x * x2 *
              ((((-5.70498872745e-3f * x2 + 2.06390887954e-2f) * x2 - 5.37397155531e-2f) * x2 + 1.33314422036e-1f) *
                   x2 -
               3.33332819422e-1f);
  const float e = fastExp(ax > 44.f ? 88.f : 2.f * ax);  // tanh(44) is 1 in float32
  const float tail = std::copysign(1.f - 2.f / (e + 1.f), x);
  const float y = ax < 0.625f ? std::copysign(series, x) : tail;  // copysign keeps tanh(-0) = -0
  return x != x ? x : y;
}

inline float fastSigmoid(float x) {
  const float e = fastExp(-std::fabs(x));
  const float s = 1.f / (1.f + e);
  const float y = x >= 0.f ? s : e * s;
  return x != x ? x : y;
}

}  // namespace gw
