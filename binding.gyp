{
  "targets": [
    {
      "target_name": "cometmq_native",
      "sources": [
        "native/src/allocate_service.cc",
        "native/src/bench_ceilings.cc",
        "native/src/checkpoint.cc",
        "native/src/commit_log.cc",
        "native/src/commit_log_recovery.cc",
        "native/src/consume_queue.cc",
        "native/src/store_fs.cc",
        "native/src/consume_queue_store.cc",
        "native/src/crc32.cc",
        "native/src/crc32_clmul.cc",
        "native/src/flush_service.cc",
        "native/src/index_file.cc",
        "native/src/index_service.cc",
        "native/src/java_hash.cc",
        "native/src/mapped_file.cc",
        "native/src/mapped_file_queue.cc",
        "native/src/message_store.cc",
        "native/src/message_store_reads.cc",
        "native/src/record_parser.cc",
        "native/src/reput_service.cc",
        "native/src/store_files.cc",
        "native/src/transient_store_pool.cc",
        "native/src/addon.cc",
        "native/src/busy_poll_wrap.cc",
        "native/src/store_wrap.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/src"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_ENABLE_MAYBE",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags_cc!": [
        "-fno-rtti",
        "-std=gnu++17"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fvisibility=hidden",
        "-Wall",
        "-Wextra"
      ],
      "libraries": [
        "-lpthread"
      ]
    }
  ]
}
