import Foundation
import KhabarCore
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server of the tests' own: Debian's `postgresql` binaries (`initdb`, `pg_ctl`)
/// run in a temporary directory on a loopback port, started once per test process and stopped
/// when it exits. Each test gets a fresh database (`makeDatabase`). No mock: the store is held to
/// the real server's locking and constraints.
final class PostgresTestServer: Sendable {
    let directory: URL
    let port: Int
    let binaries: URL
    let runAsPostgresUser: Bool

    /// The server, or why there is none (no PostgreSQL installed: `scripts/setup.sh` installs it).
    static let shared: Result<PostgresTestServer, PostgresTestServerError> = {
        do {
            return .success(try PostgresTestServer())
        } catch let error as PostgresTestServerError {
            return .failure(error)
        } catch {
            return .failure(PostgresTestServerError(message: "\(error)"))
        }
    }()

    /// Whether PostgreSQL's server binaries are installed (for `.enabled(if:)`).
    static var isInstalled: Bool { findBinaries() != nil }

    static func start() throws -> PostgresTestServer { try shared.get() }

    private init() throws {
        guard let binaries = Self.findBinaries() else {
            throw PostgresTestServerError(message: "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run scripts/setup.sh")
        }
        self.binaries = binaries
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("khabar-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // initdb refuses to run as root; the server then runs as Debian's `postgres` user.
        runAsPostgresUser = getuid() == 0
        if runAsPostgresUser { try Self.run("/bin/chown", ["postgres:", directory.path]) }
        let asPostgres = runAsPostgresUser
        let directory = self.directory
        let dataDirectory = directory.appendingPathComponent("data").path
        func tool(_ name: String, _ arguments: [String]) throws {
            try Self.run(tool: binaries.appendingPathComponent(name).path, arguments, asPostgresUser: asPostgres, in: directory)
        }
        try tool("initdb", ["-D", dataDirectory, "-U", "khabar", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"])
        var started: Int?
        var lastError: (any Error)?
        for _ in 0..<5 {
            let candidate = try Self.freeLoopbackPort()
            do {
                try tool("pg_ctl", [
                    "-D", dataDirectory, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
                    "-o", "-c listen_addresses=127.0.0.1 -p \(candidate) -k \(directory.path) -c fsync=off -c max_connections=200",
                    "start",
                ])
                started = candidate
                break
            } catch {
                // Another process took the port between probing and starting.
                lastError = error
            }
        }
        guard let started else { throw lastError ?? PostgresTestServerError(message: "the server did not start") }
        port = started
        Self.stopAtExit(self)
    }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }

    /// A new, empty database on the server.
    func makeDatabase() throws -> PostgresLocation {
        let name = "khabar_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        try run("psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "khabar", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)"], binaryDirectory: psqlDirectory)
        return PostgresLocation(host: "127.0.0.1", port: port, username: "khabar", database: name)
    }

    /// Runs `sql` in the database with `psql`: for tests that move the state on as time
    /// passing would (a heartbeat running out), without waiting for it.
    func execute(_ sql: String, in location: PostgresLocation) throws {
        try run("psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "khabar", "-d", location.database, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], binaryDirectory: psqlDirectory)
    }

    /// The `psql` client: next to the server binaries, or on PATH.
    private var psqlDirectory: URL {
        FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent("psql").path) ? binaries : URL(fileURLWithPath: "/usr/bin")
    }

    func stop() {
        try? run("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    private func run(_ tool: String, _ arguments: [String], binaryDirectory: URL? = nil) throws {
        let path = (binaryDirectory ?? binaries).appendingPathComponent(tool).path
        try Self.run(tool: path, arguments, asPostgresUser: runAsPostgresUser, in: directory)
    }

    private static func run(tool path: String, _ arguments: [String], asPostgresUser: Bool, in directory: URL) throws {
        if asPostgresUser {
            try run("/sbin/runuser", ["-u", "postgres", "--", path] + arguments, currentDirectory: directory)
        } else {
            try run(path, arguments, currentDirectory: directory)
        }
    }

    /// Runs a tool and waits for it with posix_spawn and waitpid: Foundation's `Process`
    /// left `pg_ctl` unreaped here (called from the lazy `shared` initializer), waiting forever.
    /// Output goes to a file, not a pipe: the server that `pg_ctl start` leaves running
    /// inherits the descriptor, and a pipe would never reach its end.
    private static func run(_ path: String, _ arguments: [String], currentDirectory: URL? = nil) throws {
        let outputPath = NSTemporaryDirectory() + "khabar-pg-output-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw PostgresTestServerError(message: "cannot start \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exited == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw PostgresTestServerError(message: "\(path) \(arguments.joined(separator: " ")) exited \(exited): \(text)")
        }
    }

    private static func findBinaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap(Int.init).sorted(by: >).lazy
            .map { root.appendingPathComponent("\($0)/bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) }
    }

    /// A port nothing listens on right now (the kernel's pick for port 0).
    private static func freeLoopbackPort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw PostgresTestServerError(message: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw PostgresTestServerError(message: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    nonisolated(unsafe) private static var serverToStop: PostgresTestServer?

    private static func stopAtExit(_ server: PostgresTestServer) {
        serverToStop = server
        atexit { PostgresTestServer.serverToStop?.stop() }
    }
}

struct PostgresTestServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { "test PostgreSQL: \(message)" }
}
