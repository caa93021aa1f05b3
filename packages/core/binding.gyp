{
  "targets": [
    {
      "target_name": "gatewave_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/bind-copies.cc",
        "native/src/bind-nn.cc",
        "native/src/pool.cc",
        "native/src/gemm.cc",
        "native/src/gemm-small.cc",
        "native/src/conv.cc",
        "native/src/ops.cc",
        "native/src/pgn.cc",
        "native/src/gru.cc",
        "native/src/reduce.cc"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++14"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=off"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } }
    }
  ]
}
