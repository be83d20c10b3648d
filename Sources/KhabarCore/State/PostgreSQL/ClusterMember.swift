internal import Foundation
internal import PostgresNIO

/// One khabar process among those sharing a PostgreSQL state: its name among the holders of
/// claims, and its heartbeat. Whatever it claims (frontier rows, host slots, sources) is its
/// own for as long as the heartbeat lasts; when it stops beating (killed, cut off), the claims
/// go to the others one lease later.
public final class ClusterMember: Sendable {
    let pool: PostgresConnectionPool
    /// Unique per process: the instance name, the process id and a random part.
    public let holder: String
    /// How long the process counts as alive after its last heartbeat.
    public let lease: Duration

    public init(store: PostgresStateStore, lease: Duration = .seconds(30)) {
        pool = store.pool
        holder = "\(store.instance)#\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
        self.lease = lease
    }

    /// Says this process is alive for one more lease.
    public func beat() throws {
        try pool.withConnection { session in
            try session.query("""
                INSERT INTO holders (holder, alive_until) VALUES (\(holder), now() + make_interval(secs => \(lease.seconds)))
                ON CONFLICT (holder) DO UPDATE SET alive_until = EXCLUDED.alive_until
                """)
        }
    }

    /// Leaves the cluster: what it still holds is free at once.
    public func leave() throws {
        try pool.transaction { session in
            try session.query("UPDATE host_slots SET holder = NULL, taken_at = NULL WHERE holder = \(holder)")
            try session.query("DELETE FROM source_owners WHERE holder = \(holder)")
            try session.query("DELETE FROM holders WHERE holder = \(holder)")
        }
    }

    /// Renews the heartbeat every third of the lease until cancelled.
    public func keepAlive(onFailure: @Sendable (any Error) -> Void = { _ in }) async {
        let interval = lease / 3
        while !Task.isCancelled {
            do {
                try beat()
            } catch {
                onFailure(error)
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// SQL true when `column` names a holder whose heartbeat ran out (or that never beat).
    static func isDead(_ column: String) -> String {
        "NOT EXISTS (SELECT 1 FROM holders h WHERE h.holder = \(column) AND h.alive_until > now())"
    }
}

/// Which daemon polls which source: a source belongs to the daemon that polled it first, for
/// as long as that daemon is alive; then to the next daemon that asks.
public final class SharedSourceOwnership: SourcePollClaims {
    let member: ClusterMember

    public init(member: ClusterMember) {
        self.member = member
    }

    public func mayPoll(source: String) throws -> Bool {
        try member.pool.withConnection { session in
            try session.query("""
                INSERT INTO source_owners (source, holder, polled_at) VALUES (\(source), \(member.holder), now())
                ON CONFLICT (source) DO UPDATE SET holder = EXCLUDED.holder, polled_at = now()
                WHERE source_owners.holder = EXCLUDED.holder OR \(unescaped: ClusterMember.isDead("source_owners.holder"))
                RETURNING 1
                """).first != nil
        }
    }

    public var recheckInterval: Duration { member.lease / 3 }

    /// Source → owning holder (for `status` and tests).
    public func owners() throws -> [String: String] {
        try member.pool.withConnection { session in
            var owners: [String: String] = [:]
            for row in try session.query("SELECT source, holder FROM source_owners") {
                let (source, holder) = try row.decode((String, String).self)
                owners[source] = holder
            }
            return owners
        }
    }
}
