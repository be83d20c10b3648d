internal import Foundation

/// A value behind a lock, shared between tasks and threads (the curl thread among them), used
/// like `Synchronization.Mutex`: `withLock { $0 … }`.
///
/// Not `Mutex` itself: on Linux it waits on futexes inside the Swift runtime, which
/// ThreadSanitizer does not see, so TSan reports every contended access a `Mutex` guards as a
/// race (Swift 6.3.1: two threads counting under one `Mutex` are reported at once); and it
/// needs macOS 15. `NSLock` is a pthread mutex, which the sanitizer intercepts.
/// `@unchecked Sendable`: every access to `value` goes through `lock`.
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
