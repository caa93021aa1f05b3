// GEMM after Goto & van de Geijn: C is computed in NC-wide column blocks; for each KC-deep slice of K a KC x NC block
// of op(B) is packed into NR-wide panels and, for each MC-high row block, an MC x KC block of op(A) into MR-high
// panels; a register-blocked MR x NR micro-kernel then runs over the panels. The micro-kernels for AVX-512, AVX2+FMA
// and SSE are compiled with __attribute__((target)) so that one binary runs on any x86-64 and picks the widest one the
// CPU has; elsewhere a portable C++ kernel is used.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "pool.h"

#if defined(__x86_64__) || defined(_M_X64)
#define GW_X86 1
#include <immintrin.h>
#endif

namespace gw {

namespace {

using UkrFn = void (*)(long kc, const float* a, const float* b, float* c, long ldc, bool acc);

struct Ukernel {
  const char* name;
  int mr, nr;
  int kc, mc, nc;  // cache blocking
  UkrFn fn;
};

// ---------------------------------------------------------------- portable (any architecture) 4 x 8
void ukrPortable(long kc, const float* a, const float* b, float* c, long ldc, bool acc) {
  float t[4][8] = {};
  for (long p = 0; p < kc; ++p) {
    for (int i = 0; i < 4; ++i) {
      const float ai = a[i];
      for (int j = 0; j < 8; ++j) t[i][j] += ai * b[j];
    }
    a += 4;
    b += 8;
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) c[i * ldc + j] = acc ? c[i * ldc + j] + t[i][j] : t[i][j];
}

#ifdef GW_X86
// ---------------------------------------------------------------- SSE 4 x 8 (baseline x86-64)
void ukrSse(long kc, const float* a, const float* b, float* c, long ldc, bool acc) {
  __m128 c0a = _mm_setzero_ps(), c0b = _mm_setzero_ps(), c1a = _mm_setzero_ps(), c1b = _mm_setzero_ps();
  __m128 c2a = _mm_setzero_ps(), c2b = _mm_setzero_ps(), c3a = _mm_setzero_ps(), c3b = _mm_setzero_ps();
  for (long p = 0; p < kc; ++p) {
    const __m128 b0 = _mm_loadu_ps(b), b1 = _mm_loadu_ps(b + 4);
#define GW_ROW(i)                                      \
  {                                                    \
    const __m128 ai = _mm_set1_ps(a[i]);               \
    c##i##a = _mm_add_ps(c##i##a, _mm_mul_ps(ai, b0)); \
    c##i##b = _mm_add_ps(c##i##b, _mm_mul_ps(ai, b1)); \
  }
    GW_ROW(0) GW_ROW(1) GW_ROW(2) GW_ROW(3)
#undef GW_ROW
    a += 4;
    b += 8;
  }
#define GW_STORE(i)                                                            \
  {                                                                            \
    float* ci = c + i * ldc;                                                   \
    if (acc) {                                                                 \
      c##i##a = _mm_add_ps(c##i##a, _mm_loadu_ps(ci));                         \
      c##i##b = _mm_add_ps(c##i##b, _mm_loadu_ps(ci + 4));                     \
    }                                                                          \
    _mm_storeu_ps(ci, c##i##a);                                                \
    _mm_storeu_ps(ci + 4, c##i##b);                                            \
  }
  GW_STORE(0) GW_STORE(1) GW_STORE(2) GW_STORE(3)
#undef GW_STORE
}

// ---------------------------------------------------------------- AVX2 + FMA 6 x 16
__attribute__((target("avx2,fma"))) void ukrAvx2(long kc, const float* a, const float* b, float* c, long ldc,
                                                  bool acc) {
  __m256 c0a = _mm256_setzero_ps(), c0b = _mm256_setzero_ps(), c1a = _mm256_setzero_ps(), c1b = _mm256_setzero_ps();
  __m256 c2a = _mm256_setzero_ps(), c2b = _mm256_setzero_ps(), c3a = _mm256_setzero_ps(), c3b = _mm256_setzero_ps();
  __m256 c4a = _mm256_setzero_ps(), c4b = _mm256_setzero_ps(), c5a = _mm256_setzero_ps(), c5b = _mm256_setzero_ps();
  for (long p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#define GW_ROW(i)                                      \
  {                                                    \
    const __m256 ai = _mm256_broadcast_ss(a + i);      \
    c##i##a = _mm256_fmadd_ps(ai, b0, c##i##a);        \
    c##i##b = _mm256_fmadd_ps(ai, b1, c##i##b);        \
  }
    GW_ROW(0) GW_ROW(1) GW_ROW(2) GW_ROW(3) GW_ROW(4) GW_ROW(5)
#undef GW_ROW
    a += 6;
    b += 16;
  }
#define GW_STORE(i)                                                   \
  {                                                                   \
    float* ci = c + i * ldc;                                          \
    if (acc) {                                                        \
      c##i##a = _mm256_add_ps(c##i##a, _mm256_loadu_ps(ci));          \
      c##i##b = _mm256_add_ps(c##i##b, _mm256_loadu_ps(ci + 8));      \
    }                                                                 \
    _mm256_storeu_ps(ci, c##i##a);                                    \
    _mm256_storeu_ps(ci + 8, c##i##b);                                \
  }
  GW_STORE(0) GW_STORE(1) GW_STORE(2) GW_STORE(3) GW_STORE(4) GW_STORE(5)
#undef GW_STORE
}

// ---------------------------------------------------------------- AVX-512 12 x 32
__attribute__((target("avx512f"))) void ukrAvx512(long kc, const float* a, const float* b, float* c, long ldc,
                                                   bool acc) {
#define GW_Z(i) __m512 c##i##a = _mm512_setzero_ps(), c##i##b = _mm512_setzero_ps();
  GW_Z(0) GW_Z(1) GW_Z(2) GW_Z(3) GW_Z(4) GW_Z(5) GW_Z(6) GW_Z(7) GW_Z(8) GW_Z(9) GW_Z(10) GW_Z(11)
#undef GW_Z
  for (long p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    _mm_prefetch(reinterpret_cast<const char*>(b + 256), _MM_HINT_T0);
#define GW_ROW(i)                                      \
  {                                                    \
    const __m512 ai = _mm512_set1_ps(a[i]);            \
    c##i##a = _mm512_fmadd_ps(ai, b0, c##i##a);        \
    c##i##b = _mm512_fmadd_ps(ai, b1, c##i##b);        \
  }
    GW_ROW(0) GW_ROW(1) GW_ROW(2) GW_ROW(3) GW_ROW(4) GW_ROW(5)
    GW_ROW(6) GW_ROW(7) GW_ROW(8) GW_ROW(9) GW_ROW(10) GW_ROW(11)
#undef GW_ROW
    a += 12;
    b += 32;
  }
#define GW_STORE(i)                                                   \
  {                                                                   \
    float* ci = c + i * ldc;                                          \
    if (acc) {                                                        \
      c##i##a = _mm512_add_ps(c##i##a, _mm512_loadu_ps(ci));          \
      c##i##b = _mm512_add_ps(c##i##b, _mm512_loadu_ps(ci + 16));     \
    }                                                                 \
    _mm512_storeu_ps(ci, c##i##a);                                    \
    _mm512_storeu_ps(ci + 16, c##i##b);                               \
  }
  GW_STORE(0) GW_STORE(1) GW_STORE(2) GW_STORE(3) GW_STORE(4) GW_STORE(5)
  GW_STORE(6) GW_STORE(7) GW_STORE(8) GW_STORE(9) GW_STORE(10) GW_STORE(11)
#undef GW_STORE
}
#endif  // GW_X86

const Ukernel kPortable{"portable", 4, 8, 256, 64, 2048, ukrPortable};
#ifdef GW_X86
const Ukernel kSse{"sse", 4, 8, 256, 128, 2048, ukrSse};
const Ukernel kAvx2{"avx2", 6, 16, 256, 120, 3072, ukrAvx2};
const Ukernel kAvx512{"avx512", 12, 32, 256, 144, 3072, ukrAvx512};
#endif

bool cpuHas(const char* name) {
  if (std::strcmp(name, "portable") == 0) return true;
#ifdef GW_X86
  __builtin_cpu_init();
  if (std::strcmp(name, "sse") == 0) return true;
  if (std::strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (std::strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f");
#endif
  return false;
}

const Ukernel* byName(const char* name) {
  if (std::strcmp(name, "portable") == 0) return &kPortable;
#ifdef GW_X86
  if (std::strcmp(name, "sse") == 0) return &kSse;
  if (std::strcmp(name, "avx2") == 0) return &kAvx2;
  if (std::strcmp(name, "avx512") == 0) return &kAvx512;
#endif
  return nullptr;
}

const Ukernel* detect() {
  const char* env = std::getenv("GATEWAVE_ISA");
  if (env && *env && byName(env) && cpuHas(env)) return byName(env);
  for (const char* n : {"avx512", "avx2", "sse"})
    if (cpuHas(n) && byName(n)) return byName(n);
  return &kPortable;
}

const Ukernel* gKernel = detect();

// Scratch buffers, one set per OS thread, 64-byte aligned, grown on demand and kept.
struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  float* get(size_t need) {
    if (need > n) {
      std::free(p);
      n = need + 1024;
      p = static_cast<float*>(std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64));
    }
    return p;
  }
  ~Scratch() { std::free(p); }
};
thread_local Scratch tlA, tlB;

void packA(const float* A, long lda, bool trans, long i0, long mc, long p0, long kc, int mr, float* dst) {
  for (long ir = 0; ir < mc; ir += mr) {
    const long m = std::min<long>(mr, mc - ir);
    if (!trans) {
      for (long i = 0; i < m; ++i) {
        const float* src = A + (i0 + ir + i) * lda + p0;
        float* d = dst + i;
        for (long p = 0; p < kc; ++p) d[p * mr] = src[p];
      }
      for (long i = m; i < mr; ++i)
        for (long p = 0; p < kc; ++p) dst[p * mr + i] = 0.f;
    } else {
      for (long p = 0; p < kc; ++p) {
        const float* src = A + (p0 + p) * lda + i0 + ir;
        float* d = dst + p * mr;
        long i = 0;
        for (; i < m; ++i) d[i] = src[i];
        for (; i < mr; ++i) d[i] = 0.f;
      }
    }
    dst += kc * mr;
  }
}

void packB(const float* B, long ldb, bool trans, long p0, long kc, long j0, long nc, int nr, float* dst) {
  for (long jr = 0; jr < nc; jr += nr) {
    const long n = std::min<long>(nr, nc - jr);
    if (!trans) {
      for (long p = 0; p < kc; ++p) {
        const float* src = B + (p0 + p) * ldb + j0 + jr;
        float* d = dst + p * nr;
        std::memcpy(d, src, n * sizeof(float));
        for (long j = n; j < nr; ++j) d[j] = 0.f;
      }
    } else {
      for (long j = 0; j < n; ++j) {
        const float* src = B + (j0 + jr + j) * ldb + p0;
        float* d = dst + j;
        for (long p = 0; p < kc; ++p) d[p * nr] = src[p];
      }
      for (long j = n; j < nr; ++j)
        for (long p = 0; p < kc; ++p) dst[p * nr + j] = 0.f;
    }
    dst += kc * nr;
  }
}

void gemmSerial(const Ukernel& k, bool transA, bool transB, long M, long N, long K, const float* A, long lda,
                const float* B, long ldb, float* C, long ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (sgemmSmallN(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate)) return;
  if (K <= 0) {
    if (!accumulate)
      for (long i = 0; i < M; ++i) std::memset(C + i * ldc, 0, N * sizeof(float));
    return;
  }
  const int MR = k.mr, NR = k.nr;
  const long KC = k.kc, MC = k.mc, NC = k.nc;
  const long ncMax = std::min(NC, ((N + NR - 1) / NR) * NR);
  const long kcMax = std::min(KC, K);
  const long mcMax = std::min(MC, ((M + MR - 1) / MR) * MR);
  float* pb = tlB.get(ncMax * kcMax);
  float* pa = tlA.get(mcMax * kcMax);
  alignas(64) float tmp[12 * 32];
  for (long jc = 0; jc < N; jc += NC) {
    const long nc = std::min(NC, N - jc);
    for (long pc = 0; pc < K; pc += KC) {
      const long kc = std::min(KC, K - pc);
      packB(B, ldb, transB, pc, kc, jc, nc, NR, pb);
      const bool acc = accumulate || pc > 0;
      for (long ic = 0; ic < M; ic += MC) {
        const long mc = std::min(MC, M - ic);
        packA(A, lda, transA, ic, mc, pc, kc, MR, pa);
        for (long jr = 0; jr < nc; jr += NR) {
          const long n = std::min<long>(NR, nc - jr);
          const float* bp = pb + jr * kc;
          for (long ir = 0; ir < mc; ir += MR) {
            const long m = std::min<long>(MR, mc - ir);
            float* c = C + (ic + ir) * ldc + jc + jr;
            const float* ap = pa + ir * kc;
            if (m == MR && n == NR) {
              k.fn(kc, ap, bp, c, ldc, acc);
            } else {
              k.fn(kc, ap, bp, tmp, NR, false);
              for (long i = 0; i < m; ++i) {
                float* ci = c + i * ldc;
                const float* ti = tmp + i * NR;
                if (acc)
                  for (long j = 0; j < n; ++j) ci[j] += ti[j];
                else
                  for (long j = 0; j < n; ++j) ci[j] = ti[j];
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace

const char* gemmIsa() { return gKernel->name; }

bool gemmSetIsa(const char* name) {
  const Ukernel* k = byName(name);
  if (!k || !cpuHas(name)) return false;
  gKernel = k;
  return true;
}

void sgemm(bool transA, bool transB, long M, long N, long K, const float* A, long lda, const float* B, long ldb,
           float* C, long ldc, bool accumulate, bool threads) {
  const Ukernel& k = *gKernel;
  Pool& pool = Pool::instance();
  const double flops = 2.0 * M * N * K;
  const int T = pool.size();
  if (!threads || T <= 1 || flops < 4.0e6 || Pool::inTask()) {
    gemmSerial(k, transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  // Split the output among the threads: by rows when there are enough, else by columns.
  const bool byRows = M >= N || (N + k.nr - 1) / k.nr < T;
  const long unit = byRows ? k.mr : k.nr;
  const long total = byRows ? M : N;
  const long units = (total + unit - 1) / unit;
  const int tasks = static_cast<int>(std::min<long>(T, units));
  if (tasks <= 1) {
    gemmSerial(k, transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  pool.run(tasks, [&](int t, int) {
    const long u0 = units * t / tasks, u1 = units * (t + 1) / tasks;
    const long s = u0 * unit, e = std::min(total, u1 * unit);
    if (s >= e) return;
    if (byRows) {
      const float* a = transA ? A + s : A + s * lda;
      gemmSerial(k, transA, transB, e - s, N, K, a, lda, B, ldb, C + s * ldc, ldc, accumulate);
    } else {
      const float* b = transB ? B + s * ldb : B + s;
      gemmSerial(k, transA, transB, M, e - s, K, A, lda, b, ldb, C + s, ldc, accumulate);
    }
  });
}

}  // namespace gw
