#if canImport(Glibc)
import Glibc
#endif
import CFuzzDriver

/// Hands the process to libFuzzer with `callback` as the target (`LLVMFuzzerTestOneInput`).
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    exit(khabar_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv, callback))
}

/// libFuzzer's input as a non-null pointer (an empty input may come as null).
public func withInput(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: (UnsafePointer<UInt8>, Int) -> CInt) -> CInt {
    if let data { return body(data, size) }
    var empty: UInt8 = 0
    return body(&empty, 0)
}
