internal import Foundation

/// A value behind a lock, used like `Synchronization.Mutex`: `withLock { $0 … }`.
///
/// Not `Mutex` itself: on Linux it waits on futexes inside the Swift runtime, which
/// ThreadSanitizer does not see, so TSan reports every contended access a `Mutex` guards as a
/// race (Swift 6.3.1: two threads counting under one `Mutex` are reported at once). `NSLock`
/// is a pthread mutex, which the sanitizer intercepts, so `scripts/sanitize.sh thread` checks
/// the code these locks guard instead of drowning it in false reports.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
