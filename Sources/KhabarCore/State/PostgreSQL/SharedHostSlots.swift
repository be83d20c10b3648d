internal import Foundation
internal import PostgresNIO
internal import Synchronization

/// Per-host request slots shared by every daemon of one PostgreSQL state, so that together
/// they never have more than `perHost` requests in flight to one host. A slot is a row; taking
/// it is an `UPDATE … SKIP LOCKED` of a free row, and a slot whose holder died (its
/// `SharedFrontier` heartbeat ran out) counts as free.
public final class SharedHostSlots: SharedHostLimit {
    let pool: PostgresConnectionPool
    let member: ClusterMember
    var holder: String { member.holder }
    let perHost: Int
    /// How long to wait before asking again when every slot is taken.
    let retryDelay: Duration
    private let createdHosts = Mutex(Set<String>())

    public init(member: ClusterMember, perHost: Int, retryDelay: Duration = .milliseconds(20)) {
        pool = member.pool
        self.member = member
        self.perHost = max(1, perHost)
        self.retryDelay = retryDelay
    }

    public func acquire(host: String) async throws -> Int {
        try createSlots(host)
        while true {
            if let slot = try take(host) { return slot }
            try await Task.sleep(for: retryDelay)
        }
    }

    public func release(host: String, slot: Int) {
        // A failed release leaves the slot to be freed when this holder's heartbeat runs out.
        _ = try? pool.withConnection { session in
            try session.query("UPDATE host_slots SET holder = NULL, taken_at = NULL WHERE host = \(host) AND slot = \(slot) AND holder = \(holder)")
        }
    }

    private func createSlots(_ host: String) throws {
        guard !createdHosts.withLock({ $0.contains(host) }) else { return }
        try pool.withConnection { session in
            try session.query("""
                INSERT INTO host_slots (host, slot) SELECT \(host), generate_series(1, \(perHost))
                ON CONFLICT DO NOTHING
                """)
        }
        _ = createdHosts.withLock { $0.insert(host) }
    }

    private func take(_ host: String) throws -> Int? {
        try pool.withConnection { session in
            try session.query("""
                UPDATE host_slots s SET holder = \(holder), taken_at = now()
                FROM (
                    SELECT host, slot FROM host_slots o
                    WHERE o.host = \(host) AND o.slot <= \(perHost)
                        AND (o.holder IS NULL
                            OR \(unescaped: ClusterMember.isDead("o.holder")))
                    ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
                ) AS free
                WHERE s.host = free.host AND s.slot = free.slot
                RETURNING s.slot
                """).first.map { try $0.decode(Int.self) }
        }
    }
}
