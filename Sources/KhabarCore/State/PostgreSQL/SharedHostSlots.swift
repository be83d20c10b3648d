internal import Foundation
internal import PostgresNIO

/// Per-host request slots shared by every daemon of one PostgreSQL state, so that together
/// they never have more than `perHost` requests in flight to one host. A slot is a row; taking
/// it is an `UPDATE … SKIP LOCKED` of a free row, and a slot whose holder died (its
/// `SharedFrontier` heartbeat ran out) counts as free.
///
/// The same statement reserves the request's start in `host_pacing`: the host's next start
/// moves on by the spacing, so the daemons together start no two requests to a host closer
/// than that (measured on the server's clock; each waits out its reservation itself, so the
/// round trip's jitter is the margin). With no spacing, nothing is reserved.
public final class SharedHostSlots: SharedHostLimit {
    let pool: PostgresConnectionPool
    let member: ClusterMember
    var holder: String { member.holder }
    let perHost: Int
    /// How long to wait before asking again when every slot is taken.
    let retryDelay: Duration
    private let createdHosts = LockedValue(Set<String>())

    public init(member: ClusterMember, perHost: Int, retryDelay: Duration = .milliseconds(20)) {
        pool = member.pool
        self.member = member
        self.perHost = max(1, perHost)
        self.retryDelay = retryDelay
    }

    public func acquire(host: String, spacing: Duration) async throws -> (slot: Int, wait: Duration) {
        let taken = try await reserve(host: host, spacing: spacing)
        return (taken.slot, taken.wait)
    }

    /// `acquire`, also telling the start reserved on the server's clock (nil without spacing).
    func reserve(host: String, spacing: Duration) async throws -> (slot: Int, wait: Duration, start: Date?) {
        try createSlots(host)
        while true {
            if let taken = try take(host, spacing: spacing) { return taken }
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

    private func take(_ host: String, spacing: Duration) throws -> (slot: Int, wait: Duration, start: Date?)? {
        // One round trip: the slot, and (only if one was free and requests are spaced) the
        // start after the last one reserved; without spacing no pacing row is written. The
        // pacing row is locked last, after the slot, in every daemon.
        try pool.withConnection { session in
            try session.query("""
                WITH taken AS (
                    UPDATE host_slots s SET holder = \(holder), taken_at = now()
                    FROM (
                        SELECT host, slot FROM host_slots o
                        WHERE o.host = \(host) AND o.slot <= \(perHost)
                            AND (o.holder IS NULL OR \(unescaped: ClusterMember.isDead("o.holder")))
                        ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
                    ) AS free
                    WHERE s.host = free.host AND s.slot = free.slot
                    RETURNING s.slot
                ), paced AS (
                    INSERT INTO host_pacing AS p (host, next_start_at)
                    SELECT \(host), now() + make_interval(secs => \(spacing.seconds)) FROM taken WHERE \(spacing.seconds) > 0
                    ON CONFLICT (host) DO UPDATE
                        SET next_start_at = GREATEST(p.next_start_at, now()) + make_interval(secs => \(spacing.seconds))
                    RETURNING p.next_start_at
                )
                SELECT taken.slot,
                    GREATEST(EXTRACT(EPOCH FROM paced.next_start_at - make_interval(secs => \(spacing.seconds)) - now()), 0)::float8,
                    EXTRACT(EPOCH FROM paced.next_start_at - make_interval(secs => \(spacing.seconds)))::float8
                FROM taken LEFT JOIN paced ON true
                """).first.map { row in
                let (slot, wait, start) = try row.decode((Int, Double?, Double?).self)
                return (slot, .milliseconds(Int64(((wait ?? 0) * 1000).rounded(.up))), start.map(Date.init(timeIntervalSince1970:)))
            }
        }
    }
}
