// Packed, blocked single-precision GEMM with run-time ISA dispatch.
#pragma once

namespace gw {

/**
 * C = op(A) * op(B), or C += op(A) * op(B) when `accumulate`, all row-major.
 * op(A) is M x K: A is M x K with row stride lda, or (transA) K x M with row stride lda.
 * op(B) is K x N: B is K x N with row stride ldb, or (transB) N x K with row stride ldb.
 * C is M x N with row stride ldc. Uses the thread pool for large products unless `threads` is false.
 */
void sgemm(bool transA, bool transB, long M, long N, long K, const float* A, long lda, const float* B, long ldb,
           float* C, long ldc, bool accumulate, bool threads = true);

/** Widest N that sgemmSmallN takes. */
constexpr long kSmallN = 16;
/**
 * The same product for N <= kSmallN without packing or padding (gemm-small.cc), on the calling thread; returns false
 * (and does nothing) for shapes it does not take.
 */
bool sgemmSmallN(bool transA, bool transB, long M, long N, long K, const float* A, long lda, const float* B, long ldb,
                 float* C, long ldc, bool accumulate);

/** The micro-kernel in use: "avx512" (12x32), "avx2" (6x16), "sse" (4x8) or "portable" (4x8). */
const char* gemmIsa();
/** Forces a micro-kernel by name (for tests and benchmarks); returns false if this CPU lacks it. */
bool gemmSetIsa(const char* name);

}  // namespace gw
