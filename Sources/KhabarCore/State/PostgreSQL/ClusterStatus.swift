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
        /// The earliest start of the next request (pacing), when it is still ahead.
        public var nextStartAt: Date?
        /// While a breaker pause holds: until when, and the failure that opened it.
        public var pausedUntil: Date?
        public var pauseReason: String?
        /// When the latest robots.txt stored for the host expires, if one still holds.
        public var robotsTxtUntil: Date?
        /// The host's queue: its URLs waiting in the frontier (retries included).
        public var waiting: Int
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
    /// The server's clock when this was read, which the host times are on.
    public var readAt: Date

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
            let readAt = try session.query("SELECT EXTRACT(EPOCH FROM now())::float8").first.map { try $0.decode(Double.self) } ?? 0
            // Every host any table knows; times only while they are still ahead. The frontier
            // keeps URLs, not hosts: their host key ("host:port", as the fetcher keys hosts) is
            // read from the URL, a scan of the waiting rows that only this report pays for.
            let hosts = try session.query("""
                WITH queued AS (
                    SELECT lower(m[2]) || ':' || COALESCE(m[3], CASE lower(m[1]) WHEN 'https' THEN '443' ELSE '80' END) AS host,
                        COUNT(*) AS waiting
                    FROM (
                        SELECT regexp_match(url, '^([A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/?#]*@)?(\\[[^]]*\\]|[^:/?#]+)(?::([0-9]+))?') AS m
                        FROM frontier WHERE state = 'pending'
                    ) parsed
                    WHERE m IS NOT NULL
                    GROUP BY 1
                ), known AS (
                    SELECT host FROM host_slots UNION SELECT host FROM host_pacing
                    UNION SELECT host FROM host_pauses UNION SELECT host FROM robots_txt
                    UNION SELECT host FROM queued
                )
                SELECT k.host,
                    (SELECT COUNT(*) FROM host_slots s
                        WHERE s.host = k.host AND s.holder IS NOT NULL AND NOT \(unescaped: ClusterMember.isDead("s.holder"))),
                    (SELECT COUNT(*) FROM host_slots s WHERE s.host = k.host),
                    (SELECT EXTRACT(EPOCH FROM p.next_start_at)::float8 FROM host_pacing p WHERE p.host = k.host AND p.next_start_at > now()),
                    b.until, b.reason,
                    (SELECT EXTRACT(EPOCH FROM MAX(r.expires_at))::float8 FROM robots_txt r
                        WHERE r.host = k.host AND r.answer <> 'loading' AND r.expires_at > now()),
                    COALESCE((SELECT q.waiting FROM queued q WHERE q.host = k.host), 0)::bigint
                FROM known k
                LEFT JOIN (SELECT host, EXTRACT(EPOCH FROM paused_until)::float8 AS until, reason FROM host_pauses WHERE paused_until > now()) b
                    ON b.host = k.host
                ORDER BY k.host
                """).map { row in
                let (host, taken, slots, nextStart, pausedUntil, reason, robotsUntil, waiting) = try row.decode(
                    (String, Int, Int, Double?, Double?, String?, Double?, Int).self)
                return Host(
                    host: host, slotsTaken: taken, slots: slots, nextStartAt: nextStart.map(Date.init(timeIntervalSince1970:)),
                    pausedUntil: pausedUntil.map(Date.init(timeIntervalSince1970:)), pauseReason: reason,
                    robotsTxtUntil: robotsUntil.map(Date.init(timeIntervalSince1970:)), waiting: waiting)
            }
            let exports = try session.query("""
                SELECT instance, COUNT(*), COALESCE(SUM(record_count), 0)::bigint, COALESCE(SUM(byte_count), 0)::bigint
                FROM export_files GROUP BY instance ORDER BY instance
                """).map { row in
                let (instance, files, records, bytes) = try row.decode((String, Int, Int, Int).self)
                return Exports(instance: instance, files: files, records: records, bytes: bytes)
            }
            return ClusterStatus(
                holders: holders, frontier: frontier, orphanedClaims: orphaned, retriesWaiting: retries, hosts: hosts, exports: exports,
                readAt: Date(timeIntervalSince1970: readAt))
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
        for host in hosts {
            var parts: [String] = []
            if host.waiting > 0 { parts.append("\(host.waiting) URLs waiting") }
            if host.slotsTaken > 0 { parts.append("\(host.slotsTaken) of \(host.slots) slots in use") }
            if let next = host.nextStartAt { parts.append("next start at \(Self.time(next)) (in \(Self.seconds(next, after: readAt)))") }
            if let until = host.pausedUntil {
                parts.append("paused until \(Self.time(until)) (\(Self.seconds(until, after: readAt)) more) after \(host.pauseReason ?? "failures")")
            }
            if let until = host.robotsTxtUntil { parts.append("robots.txt cached until \(Self.time(until))") }
            // A host with nothing in force (slots free, pacing and pauses past) is only counted.
            if !parts.isEmpty { lines.append("  \(host.host): " + parts.joined(separator: "; ")) }
        }
        lines.append("exports: \(exports.reduce(0) { $0 + $1.records }) records in \(exports.reduce(0) { $0 + $1.files }) files")
        for export in exports {
            lines.append("  \(export.instance): \(export.records) records, \(export.files) files, \(export.bytes) bytes")
        }
        return lines.joined(separator: "\n")
    }

    private static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func seconds(_ date: Date, after reference: Date) -> String {
        String(format: "%.1f s", max(0, date.timeIntervalSince(reference)))
    }
}
