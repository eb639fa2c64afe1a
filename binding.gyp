{
  "targets": [
    {
      "target_name": "fatnn_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/plan.c",
        "native/src/from_float.c",
        "native/src/isa_scalar.c",
        "native/src/isa_avx2.c",
        "native/src/isa_avx512.c",
        "native/src/isa_neon.c"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags": ["-O3", "-Wall"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=c++17"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CFLAGS": ["-std=gnu11"],
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17"],
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      }
    }
  ]
}
