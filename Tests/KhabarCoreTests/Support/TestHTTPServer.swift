import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on a loopback port chosen by the kernel, for the fetcher's tests.
///
/// Each path has a scripted behaviour (`route`): a normal response, a stall, a reset in the
/// middle of the body, and so on. Requests are recorded so tests can check what was sent and
/// that nothing was sent where nothing should be. One thread accepts; each connection gets a
/// thread and is kept alive for further requests.
///
/// `@unchecked Sendable`: the mutable state lives in `state`, behind a lock; file descriptors
/// are only closed once, under that lock.
final class TestHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        let method: String
        let path: String
        /// Names lower-cased.
        let headers: [String: String]
        let receivedAt: ContinuousClock.Instant
    }

    enum Reply: Sendable {
        case response(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
        /// Sends the headers (declaring `declaredLength`) and `sentPrefix`, then goes silent for
        /// `seconds` or until the client hangs up.
        case stall(declaredLength: Int, sentPrefix: [UInt8], seconds: Double)
        /// Sends the headers and `sentPrefix`, then resets the connection (RST, not FIN).
        case reset(declaredLength: Int, sentPrefix: [UInt8])
        /// Sends the headers with no Content-Length and the body, then closes the connection
        /// (an HTTP/1.0-style close-delimited body).
        case closeDelimited(headers: [(String, String)], body: [UInt8])
    }

    /// Decides the reply to a request; `hit` counts requests to this path, from 1.
    typealias Handler = @Sendable (_ request: Request, _ hit: Int) -> Reply

    private struct State {
        var routes: [String: Handler] = [:]
        var requests: [Request] = []
        var connections: Set<Int32> = []
        var stopped = false
        /// Requests read and not yet answered, and the most there ever were at once.
        var inFlight = 0
        var peakInFlight = 0
    }

    private let state = NSLock()
    private var shared = State()
    private let listener: Int32
    let port: Int

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 128) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "test-http-accept"
        thread.start()
    }

    func url(_ path: String, host: String = "127.0.0.1") -> String {
        "http://\(host):\(port)\(path)"
    }

    func route(_ path: String, _ handler: @escaping Handler) {
        locked { $0.routes[path] = handler }
    }

    /// A fixed 200 response.
    func serve(_ path: String, body: String, headers: [(String, String)] = [("Content-Type", "text/html; charset=utf-8")]) {
        let bytes = Array(body.utf8)
        route(path) { _, _ in .response(status: 200, headers: headers, body: bytes) }
    }

    /// The most requests this server was answering at one moment.
    var peakConcurrentRequests: Int { locked { $0.peakInFlight } }

    func requests(to path: String? = nil) -> [Request] {
        locked { state in state.requests.filter { path == nil || $0.path == path } }
    }

    func stop() {
        let connections = locked { state -> Set<Int32> in
            state.stopped = true
            return state.connections
        }
        // shutdown() wakes the threads blocked in accept/recv/poll; each closes its own fd.
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    deinit {
        close(listener)
    }

    private func locked<T>(_ body: (inout State) -> T) -> T {
        state.lock()
        defer { state.unlock() }
        return body(&shared)
    }

    // MARK: - Threads

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted = locked { state -> Bool in
                guard !state.stopped else { return false }
                state.connections.insert(fd)
                return true
            }
            guard accepted else { close(fd); return }
            let thread = Thread { [self] in
                serveConnection(fd)
                locked { _ = $0.connections.remove(fd) }
                close(fd)
            }
            thread.start()
        }
    }

    private func serveConnection(_ fd: Int32) {
        var buffer: [UInt8] = []
        while let request = readRequest(fd, buffer: &buffer) {
            let (handler, hit) = locked { state -> (Handler?, Int) in
                state.requests.append(request)
                state.inFlight += 1
                state.peakInFlight = max(state.peakInFlight, state.inFlight)
                let hit = state.requests.lazy.filter { $0.path == request.path }.count
                return (state.routes[request.path], hit)
            }
            defer { locked { $0.inFlight -= 1 } }
            let reply = handler?(request, hit) ?? .response(status: 404, body: Array("not found".utf8))
            switch reply {
            case .response(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) \(reason(status))\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                if !headers.contains(where: { $0.0.lowercased() == "content-length" }) {
                    head += "Content-Length: \(body.count)\r\n"
                }
                head += "\r\n"
                guard send(fd, Array(head.utf8) + (request.method == "HEAD" ? [] : body)) else { return }
            case .stall(let declaredLength, let prefix, let seconds):
                let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: \(declaredLength)\r\n\r\n"
                guard send(fd, Array(head.utf8) + prefix) else { return }
                // Silent until the client gives up (hangs up) or the time is over.
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&poller, 1, Int32(seconds * 1000))
                return
            case .reset(let declaredLength, let prefix):
                let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: \(declaredLength)\r\n\r\n"
                _ = send(fd, Array(head.utf8) + prefix)
                // Linger 0: close() sends RST instead of FIN.
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                return
            case .closeDelimited(let headers, let body):
                var head = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "\r\n"
                _ = send(fd, Array(head.utf8) + body)
                return
            }
        }
    }

    /// Reads one request head ("GET /path HTTP/1.1" and headers); nil at end of stream.
    private func readRequest(_ fd: Int32, buffer: inout [UInt8]) -> Request? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = buffer.firstRange(of: terminator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                var lines = head.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                guard requestLine.count >= 2 else { return nil }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, receivedAt: .now)
            }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            buffer += chunk[..<count]
        }
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    private func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
