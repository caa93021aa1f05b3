// Products with at most 16 output columns (the PGN's and TPGN's maps: N = d or 2d with d = 1-8; their weight
// gradients: M and N small, K = batch · time). The packed GEMM (gemm.cc) pads N up to its 32-wide (AVX-512) panels
// and M to 12-row panels, and packs both operands, so on these shapes most of its work is padding. Here:
// - rows: each output row is one 16-lane vector (columns, zero-padded) summed over k as a(i, k) · B_k, with B's rows
//   padded to 16 once per call; four rows at a time share each B_k.
// - columns (op(A) transposed, M >= 16): 16 output rows at a time are one vector, read straight from A's rows
//   (A is K x M), summed over k once per output column.
// Both sum over k in order. Used on CPUs with AVX-512 only (see sgemmSmallN).
#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "isa.h"

// vf16 values only pass between always-inline functions, so the ABI note about 64-byte vectors does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace gw {

namespace {

typedef float vf16 __attribute__((vector_size(64)));

GW_ALWAYS_INLINE vf16 load16(const float* p) {
  vf16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/** Writes (or adds) the first n lanes of v to c[0..n). */
GW_ALWAYS_INLINE void put(float* c, long n, vf16 v, bool accumulate) {
  alignas(64) float t[16];
  std::memcpy(t, &v, sizeof v);
  for (long j = 0; j < n; ++j) c[j] = accumulate ? c[j] + t[j] : t[j];
}

/** Writes (or adds) t[0..n) down a column: c[0], c[ldc], ... */
GW_ALWAYS_INLINE void putColumn(float* c, long ldc, long n, const float* t, bool accumulate) {
  for (long i = 0; i < n; ++i) c[i * ldc] = accumulate ? c[i * ldc] + t[i] : t[i];
}

// C rows from a(i, k) (A[i·lda + k], or A[k·lda + i] when TA) and Bp (K x 16, zero-padded columns).
template <bool TA>
GW_ALWAYS_INLINE void rowsBody(long M, long N, long K, const float* A, long lda, const float* Bp, float* C, long ldc,
                               bool accumulate) {
  const long si = TA ? 1 : lda, sk = TA ? lda : 1;  // strides of a(i, k) along i and along k
  long i = 0;
  for (; i + 4 <= M; i += 4) {
    const float* a = A + i * si;
    vf16 c0 = {}, c1 = {}, c2 = {}, c3 = {};
    for (long k = 0; k < K; ++k) {
      const vf16 b = load16(Bp + 16 * k);
      const float* ak = a + k * sk;
      c0 += ak[0] * b;
      c1 += ak[si] * b;
      c2 += ak[2 * si] * b;
      c3 += ak[3 * si] * b;
    }
    put(C + i * ldc, N, c0, accumulate);
    put(C + (i + 1) * ldc, N, c1, accumulate);
    put(C + (i + 2) * ldc, N, c2, accumulate);
    put(C + (i + 3) * ldc, N, c3, accumulate);
  }
  for (; i < M; ++i) {
    const float* a = A + i * si;
    vf16 c0 = {};
    for (long k = 0; k < K; ++k) c0 += a[k * sk] * load16(Bp + 16 * k);
    put(C + i * ldc, N, c0, accumulate);
  }
}
GW_AVX512_ONLY(rowsN,
              (long M, long N, long K, const float* A, long lda, const float* Bp, float* C, long ldc, bool acc),
              (M, N, K, A, lda, Bp, C, ldc, acc), rowsBody<false>)
GW_AVX512_ONLY(rowsT,
              (long M, long N, long K, const float* A, long lda, const float* Bp, float* C, long ldc, bool acc),
              (M, N, K, A, lda, Bp, C, ldc, acc), rowsBody<true>)

// C = Aᵀ·op(B) with A K x M (row stride lda), M >= 16: rows [i0, i0 + 16) as one vector, four output columns at a
// time (each A_k read once for them); the last row group overlaps the one before it (starts at M − 16) and writes
// only its new rows.
GW_ALWAYS_INLINE void columnsBody(long M, long N, long K, const float* A, long lda, const float* B, long ldb,
                                  bool transB, float* C, long ldc, bool accumulate) {
  const long bj = transB ? ldb : 1, bk = transB ? 1 : ldb;  // strides of b(k, j)
  for (long done = 0; done < M;) {
    const long i0 = std::min(done, M - 16);
    float* c = C + done * ldc;
    const long rows = i0 + 16 - done;
    const long skip = done - i0;  // lanes of the overlap, already written
    long j = 0;
    for (; j + 4 <= N; j += 4) {
      const float* b = B + j * bj;
      vf16 c0 = {}, c1 = {}, c2 = {}, c3 = {};
      for (long k = 0; k < K; ++k) {
        const vf16 a = load16(A + k * lda + i0);
        const float* bkp = b + k * bk;
        c0 += a * bkp[0];
        c1 += a * bkp[bj];
        c2 += a * bkp[2 * bj];
        c3 += a * bkp[3 * bj];
      }
      alignas(64) float t[4][16];
      std::memcpy(t[0], &c0, sizeof c0);
      std::memcpy(t[1], &c1, sizeof c1);
      std::memcpy(t[2], &c2, sizeof c2);
      std::memcpy(t[3], &c3, sizeof c3);
      for (long q = 0; q < 4; ++q) putColumn(c + j + q, ldc, rows, t[q] + skip, accumulate);
    }
    for (; j < N; ++j) {
      const float* b = B + j * bj;
      vf16 c0 = {};
      for (long k = 0; k < K; ++k) c0 += load16(A + k * lda + i0) * b[k * bk];
      alignas(64) float t[16];
      std::memcpy(t, &c0, sizeof c0);
      putColumn(c + j, ldc, rows, t + skip, accumulate);
    }
    done = i0 + 16;
  }
}
GW_AVX512_ONLY(columnsT,
              (long M, long N, long K, const float* A, long lda, const float* B, long ldb, bool tB, float* C,
               long ldc, bool acc),
              (M, N, K, A, lda, B, ldb, tB, C, ldc, acc), columnsBody)

thread_local std::vector<float> tlPadded;

}  // namespace

bool sgemmSmallN(bool transA, bool transB, long M, long N, long K, const float* A, long lda, const float* B, long ldb,
                 float* C, long ldc, bool accumulate) {
  // Only where a 16-lane vector is one register (AVX-512): GCC splits these vectors into halves or quarters on
  // AVX2 and SSE and moves them through the stack, slower than the packed GEMM there.
  if (N > kSmallN || N <= 0 || M <= 0 || K <= 0 || vectorIsa() != 2) return false;
  if (transA && M >= 16) {
    columnsT(M, N, K, A, lda, B, ldb, transB, C, ldc, accumulate);
    return true;
  }
  std::vector<float>& bp = tlPadded;  // op(B) as K rows of 16, zero-padded
  bp.assign(static_cast<size_t>(K) * 16, 0.f);
  for (long k = 0; k < K; ++k)
    for (long j = 0; j < N; ++j) bp[k * 16 + j] = transB ? B[j * ldb + k] : B[k * ldb + j];
  if (transA)
    rowsT(M, N, K, A, lda, bp.data(), C, ldc, accumulate);
  else
    rowsN(M, N, K, A, lda, bp.data(), C, ldc, accumulate);
  return true;
}

}  // namespace gw
