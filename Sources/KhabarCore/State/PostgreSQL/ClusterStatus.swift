public import Foundation
internal import PostgresNIO

/// What the daemons sharing a PostgreSQL state are doing (`khabar status`).
public struct ClusterStatus: Sendable {
    public struct Holder: Sendable {
        public var name: String
        public var aliveFor: Double
        public var claims: Int
        public var hostSlots: Int
        public var sources: Int
    }

    public struct Host: Sendable {
        public var host: String
        public var slotsTaken: Int
        public var slots: Int
    }

    public struct Exports: Sendable {
        public var instance: String
        public var files: Int
        public var records: Int
        public var bytes: Int
    }

    /// Daemons whose heartbeat has not run out, with what they hold.
    public var holders: [Holder]
    /// Frontier rows by state (`pending`, `claimed`, `done`, `failed`), and claims held by
    /// dead holders.
    public var frontier: [String: Int]
    public var orphanedClaims: Int
    /// Pending rows that failed before and wait for their next attempt's time.
    public var retriesWaiting: Int
    public var hosts: [Host]
    public var exports: [Exports]

    public static func read(_ store: PostgresStateStore) throws -> ClusterStatus {
        try store.pool.withConnection { session in
            let holders = try session.query("""
                SELECT h.holder, EXTRACT(EPOCH FROM h.alive_until - now())::float8,
                    (SELECT COUNT(*) FROM frontier f WHERE f.state = 'claimed' AND f.holder = h.holder),
                    (SELECT COUNT(*) FROM host_slots s WHERE s.holder = h.holder),
                    (SELECT COUNT(*) FROM source_owners o WHERE o.holder = h.holder)
                FROM holders h WHERE h.alive_until > now() ORDER BY h.holder
                """).map { row in
                let (name, alive, claims, slots, sources) = try row.decode((String, Double, Int, Int, Int).self)
                return Holder(name: name, aliveFor: alive, claims: claims, hostSlots: slots, sources: sources)
            }
            var frontier: [String: Int] = [:]
            for row in try session.query("SELECT state, COUNT(*) FROM frontier GROUP BY state") {
                let (state, count) = try row.decode((String, Int).self)
                frontier[state] = count
            }
            let orphaned = try session.query("""
                SELECT COUNT(*) FROM frontier o WHERE o.state = 'claimed' AND \(unescaped: ClusterMember.isDead("o.holder"))
                """).first.map { try $0.decode(Int.self) } ?? 0
            let retries = try session.query("""
                SELECT COUNT(*) FROM frontier WHERE state = 'pending' AND next_attempt_at > now()
                """).first.map { try $0.decode(Int.self) } ?? 0
            let hosts = try session.query("""
                SELECT host, COUNT(*) FILTER (WHERE holder IS NOT NULL AND NOT \(unescaped: ClusterMember.isDead("holder"))), COUNT(*)
                FROM host_slots GROUP BY host ORDER BY host
                """).map { row in
                let (host, taken, slots) = try row.decode((String, Int, Int).self)
                return Host(host: host, slotsTaken: taken, slots: slots)
            }
            let exports = try session.query("""
                SELECT instance, COUNT(*), COALESCE(SUM(record_count), 0)::bigint, COALESCE(SUM(byte_count), 0)::bigint
                FROM export_files GROUP BY instance ORDER BY instance
                """).map { row in
                let (instance, files, records, bytes) = try row.decode((String, Int, Int, Int).self)
                return Exports(instance: instance, files: files, records: records, bytes: bytes)
            }
            return ClusterStatus(holders: holders, frontier: frontier, orphanedClaims: orphaned, retriesWaiting: retries, hosts: hosts, exports: exports)
        }
    }

    /// A plain-text report.
    public var report: String {
        var lines: [String] = []
        lines.append("daemons alive: \(holders.count)")
        for holder in holders {
            lines.append("  \(holder.name): \(holder.claims) URL claims, \(holder.hostSlots) host slots, \(holder.sources) sources, heartbeat good for \(Int(holder.aliveFor.rounded())) s")
        }
        let total = frontier.values.reduce(0, +)
        lines.append(
            "frontier: \(total) URLs — \(frontier["pending"] ?? 0) waiting, \(frontier["claimed"] ?? 0) claimed (\(orphanedClaims) by dead daemons, to be taken over), "
                + "\(frontier["done"] ?? 0) done, \(frontier["failed"] ?? 0) failed")
        if retriesWaiting > 0 { lines.append("  \(retriesWaiting) of the waiting failed before and are retried after a backoff") }
        lines.append("hosts: \(hosts.count)")
        for host in hosts where host.slotsTaken > 0 {
            lines.append("  \(host.host): \(host.slotsTaken) of \(host.slots) slots in use")
        }
        lines.append("exports: \(exports.reduce(0) { $0 + $1.records }) records in \(exports.reduce(0) { $0 + $1.files }) files")
        for export in exports {
            lines.append("  \(export.instance): \(export.records) records, \(export.files) files, \(export.bytes) bytes")
        }
        return lines.joined(separator: "\n")
    }
}
