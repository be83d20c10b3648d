internal import Foundation
internal import Logging
internal import NIOCore
internal import NIOPosix
internal import NIOSSL
internal import PostgresNIO
internal import Synchronization

/// A fixed number of PostgreSQL connections for synchronous callers.
///
/// The state protocols are synchronous (see `StateStore.swift`), so a call checks out a
/// connection, runs its statements and waits for each result on the calling thread. The
/// results are produced on SwiftNIO's event loop threads, never on the caller's, so waiting
/// cannot deadlock even when every thread of Swift's cooperative pool is waiting. A connection
/// found closed (server restart, network) is replaced on the next checkout.
final class PostgresConnectionPool: Sendable {
    let location: PostgresLocation
    private let logger: Logger
    private let idle = LockedValue<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    private let nextID = Atomic<Int>(1)
    /// Statements sent so far (each one round trip), for benchmarks.
    let statements = StatementCounter()

    init(location: PostgresLocation, size: Int, logger: Logger) {
        self.location = location
        self.logger = logger
        slots = DispatchSemaphore(value: max(1, size))
    }

    deinit {
        // A connection must be closed before it is freed (PostgresNIO asserts it).
        for connection in idle.withLock({ $0 }) { try? connection.close().wait() }
    }

    /// Runs `body` with a connection of its own. Not re-entrant: `body` must not check out another.
    @discardableResult
    func withConnection<Result>(_ body: (PostgresSession) throws -> Result) throws -> Result {
        slots.wait()
        defer { slots.signal() }
        var connection = idle.withLock { $0.popLast() }
        if let open = connection, open.isClosed { connection = nil }
        let session = PostgresSession(connection: try connection ?? connect(), logger: logger, statements: statements)
        defer {
            if !session.connection.isClosed { idle.withLock { $0.append(session.connection) } }
        }
        return try body(session)
    }

    /// Runs `body` inside `BEGIN … COMMIT` on one connection; any error rolls back.
    func transaction<Result>(_ body: (PostgresSession) throws -> Result) throws -> Result {
        try withConnection { session in
            try session.execute("BEGIN")
            do {
                let result = try body(session)
                try session.execute("COMMIT")
                return result
            } catch {
                try? session.execute("ROLLBACK")
                throw error
            }
        }
    }

    private func connect() throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS
        switch location.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password, database: location.database, tls: tls)
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        do {
            return try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            throw PostgresStateError.connect(location.description, String(reflecting: error))
        }
    }
}

/// One checked-out connection: runs statements and waits for their results.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    let statements: StatementCounter

    @discardableResult
    func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        statements.count.add(1, ordering: .relaxed)
        do {
            return try connection.query(query, logger: logger).wait()
        } catch let error as PSQLError {
            throw PostgresStateError.query(query.sql, error.serverInfo?[.sqlState], error.serverInfo?[.message] ?? String(reflecting: error.code))
        }
    }

    func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }
}

final class StatementCounter: Sendable {
    let count = Atomic<Int>(0)
}

/// A PostgreSQL state call that failed: which statement, and what the server said.
public enum PostgresStateError: Error, CustomStringConvertible, Sendable {
    case connect(String, String)
    case query(String, String?, String)
    case schemaTooNew(String)

    public var description: String {
        switch self {
        case .connect(let location, let reason): return "state \(location): cannot connect: \(reason)"
        case .query(let sql, let state, let message):
            let statement = sql.split(whereSeparator: \.isNewline).first.map(String.init) ?? sql
            return "state query failed (\(state ?? "no SQLSTATE")): \(message) [\(statement.trimmingCharacters(in: .whitespaces))…]"
        case .schemaTooNew(let migration): return "state database has migration '\(migration)' this khabar does not know: it was written by a newer version"
        }
    }
}
