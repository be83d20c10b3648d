import FuzzSupport

// libFuzzer drives `fuzz` (also exported as `LLVMFuzzerTestOneInput`).
runFuzzer { data, size in withInput(data, size, fuzz) }
