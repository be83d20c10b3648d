internal import Foundation

/// A value behind a lock, shared between tasks and the curl thread.
///
/// `Synchronization.Mutex` would do, but it needs macOS 15 and the package still builds for 14.
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
