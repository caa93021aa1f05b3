// Run-time choice of the widest x86 vector ISA for loops that the compiler vectorises. A kernel writes its loop once
// as an always-inline function and wraps it in GW_ISA_CLONES, which compiles one copy for AVX-512, one for AVX2 and
// the baseline one, and calls the copy the CPU supports. Everything is built with -ffp-contract=off, so the copies
// do the same float32 operations in the same order: their results are identical, only wider.
#pragma once

namespace gw {

/** 2: AVX-512 (F, DQ), 1: AVX2 with FMA, 0: baseline (also on other architectures). Set once, from the CPU. */
int vectorIsa();

}  // namespace gw

#define GW_ALWAYS_INLINE inline __attribute__((always_inline))

#if defined(__x86_64__) || defined(_M_X64)
// Defines `name(params)` that calls `body(args)` compiled for the CPU's widest ISA (see vectorIsa).
#define GW_ISA_CLONES(name, params, args, body)                                           \
  __attribute__((target("avx512f,avx512dq"))) static void name##Avx512 params { body args; } \
  __attribute__((target("avx2,fma"))) static void name##Avx2 params { body args; }           \
  static void name##Base params { body args; }                                            \
  static void name params {                                                               \
    static const int isa = ::gw::vectorIsa();                                            \
    if (isa == 2)                                                                         \
      name##Avx512 args;                                                                  \
    else if (isa == 1)                                                                    \
      name##Avx2 args;                                                                    \
    else                                                                                  \
      name##Base args;                                                                    \
  }
// Defines `name(params)` as `body(args)` compiled for AVX-512 only; call it only when vectorIsa() == 2.
#define GW_AVX512_ONLY(name, params, args, body) \
  __attribute__((target("avx512f,avx512dq"))) static void name params { body args; }
#else
#define GW_ISA_CLONES(name, params, args, body) \
  static void name params { body args; }
#define GW_AVX512_ONLY(name, params, args, body) \
  static void name params { body args; }
#endif
