#ifndef KHABAR_CFUZZDRIVER_H
#define KHABAR_CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// The fuzz target's entry point, as libFuzzer calls it.
typedef int (*khabar_fuzz_callback)(const uint8_t *data, size_t size);

/// Runs libFuzzer's driver (`LLVMFuzzerRunDriver`, in the runtime that `-sanitize=fuzzer`
/// links) with the process arguments. SwiftPM gives every executable its own `main`, so the
/// targets call this from `main.swift` instead of relying on libFuzzer's `main`.
int khabar_fuzz_run(int argc, char **argv, khabar_fuzz_callback callback);

#endif
