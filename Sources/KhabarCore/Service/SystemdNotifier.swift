public import Foundation
#if canImport(Glibc)
internal import Glibc
#endif

/// Sends sd_notify(3) messages (`READY=1`, `STATUS=…`, `WATCHDOG=1`, `STOPPING=1`) to the
/// socket systemd names in `$NOTIFY_SOCKET`, without libsystemd: one datagram per message on
/// an `AF_UNIX`/`SOCK_DGRAM` socket, as systemd's self-contained example does. Outside systemd
/// (no variable) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// The socket path (`/run/…`, or `@…` for the abstract namespace), when running under systemd.
    public let socketPath: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"]
        socketPath = (path?.hasPrefix("/") == true || path?.hasPrefix("@") == true) ? path : nil
    }

    public var isActive: Bool { socketPath != nil }

    /// `SOCK_DGRAM | SOCK_CLOEXEC` on Linux; Glibc's enum of socket types does not reach every
    /// build configuration of the Swift module, so the values are spelled out.
    static let datagramCloseOnExec: Int32 = 2 | 0o2_000_000

    /// The watchdog interval systemd asks for (`WatchdogSec=`), when it asks and means this process.
    public static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], Int32(pid) != getpid() { return nil }
        return .microseconds(microseconds)
    }

    public func ready(status: String? = nil) { send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? [])) }
    public func status(_ text: String) { send(["STATUS=\(text)"]) }
    public func watchdog() { send(["WATCHDOG=1"]) }
    public func stopping() { send(["STOPPING=1"]) }
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        send(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"])
    }
    /// Asks for more time to stop (a long drain), so systemd does not kill the process early.
    public func extendTimeout(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        send(["EXTEND_TIMEOUT_USEC=\(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)"])
    }

    /// Sends one datagram with the given assignments; failures are ignored, as sd_notify does.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard let socketPath else { return false }
        let descriptor = socket(AF_UNIX, Self.datagramCloseOnExec, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard connected == 0 else { return false }
        let message = Array(assignments.joined(separator: "\n").utf8)
        return message.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == message.count
    }
}
