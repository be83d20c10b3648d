import Foundation
import Testing
@testable import KhabarCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SystemdNotifierTests {
    /// A datagram socket standing in for systemd's notification socket.
    private func withNotifySocket(_ body: (String, () -> String?) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-notify-\(UUID().uuidString.prefix(8)).sock").path
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor); unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try body(path) {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
        }
    }

    @Test func sendsReadyStatusWatchdogAndStopping() throws {
        try withNotifySocket { path, receive in
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
            #expect(notifier.isActive)
            notifier.ready(status: "watching 8 sources")
            #expect(receive() == "READY=1\nSTATUS=watching 8 sources")
            notifier.watchdog()
            #expect(receive() == "WATCHDOG=1")
            notifier.stopping()
            #expect(receive() == "STOPPING=1")
            notifier.reloading()
            #expect(receive()?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        }
    }

    @Test func doesNothingOutsideSystemd() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        #expect(!notifier.send(["READY=1"]))
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]).isActive)
    }

    @Test func readsTheWatchdogInterval() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
    }
}
