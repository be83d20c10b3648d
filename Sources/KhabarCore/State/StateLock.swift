public import Foundation
#if canImport(Glibc)
internal import Glibc
#endif

/// An exclusive lock on a state directory, so two processes never write one state and output
/// at once. It is an `flock(2)` on `<state>/khabar.lock`: the kernel releases it when the
/// process ends, however it ends, so a restart after `kill -9` just works.
public final class StateLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock, or throws at once naming the holder's process id when another process has it.
    public init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("khabar.lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StateLockError(message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(descriptor)
            throw StateLockError(message: "\(directory.path) is in use by another khabar process (pid \(holder))")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

public struct StateLockError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
