# The install fallback (node-gyp, run by node-gyp-build when no prebuilt binary matches).
# Sources and per-file flags come from native/sources.json, shared with CMakeLists.txt;
# test/build/build-descriptions.test.ts fails when the two drift apart.
{
  "variables": {
    "common_defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
    "common_cflags": ["-std=c++17", "-O3", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
  },
  "targets": [
    {
      "target_name": "cipherquant_avx2",
      "type": "static_library",
      "sources": ["<!@(node -p \"require('./native/sources.json').avx2.join(' ')\")"],
      "defines": ["<@(common_defines)"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["<@(common_cflags)", "-mavx2", "-mfma"],
      "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["<@(common_cflags)", "-mavx2", "-mfma"], "GCC_ENABLE_CPP_EXCEPTIONS": "YES"},
      "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/arch:AVX2", "/std:c++17"]}},
    },
    {
      "target_name": "cipherquant",
      "dependencies": ["cipherquant_avx2"],
      "sources": ["<!@(node -p \"require('./native/sources.json').portable.join(' ')\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["<@(common_defines)"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["<@(common_cflags)"],
      "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["<@(common_cflags)"], "GCC_ENABLE_CPP_EXCEPTIONS": "YES"},
      "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"]}},
    },
  ],
}
