public import Foundation
internal import PostgresNIO

/// The URLs that backfills sharing one PostgreSQL state fetch, shared out so that each is
/// fetched by one of them: a queue table claimed with `FOR UPDATE SKIP LOCKED`.
///
/// Every daemon reads its inputs and adds what it finds (`add`: a URL listed by several
/// is one row). Each then claims rows to fetch. A claim holds for as long as its holder is
/// alive: holders renew a heartbeat (`beat`) every third of the lease, and the claims of a
/// holder whose heartbeat ran out go back to the others, who fetch them again; articles the
/// dead holder had exported are skipped then, since the ledger knows them. A holder that
/// finishes marks its claims done.
public final class SharedFrontier: Sendable {
    let pool: PostgresConnectionPool
    public let member: ClusterMember
    var holder: String { member.holder }
    public var lease: Duration { member.lease }

    public init(member: ClusterMember) {
        pool = member.pool
        self.member = member
    }

    /// Adds discovered items (without bodies); those already known, to any daemon, are left as they are.
    public func add(_ items: [CrawlItem]) throws {
        var seen = Set<String>()
        // One order everywhere, so concurrent inserts of overlapping batches cannot deadlock.
        let unique = items.filter { seen.insert($0.canonicalURL).inserted }.sorted { $0.canonicalURL < $1.canonicalURL }
        guard !unique.isEmpty else { return }
        try pool.withConnection { session in
            try session.query("""
                INSERT INTO frontier (canonical_url, url, source)
                SELECT * FROM unnest(\(unique.map(\.canonicalURL)), \(unique.map(\.url)), \(unique.map(\.source)))
                ON CONFLICT (canonical_url) DO NOTHING
                """)
        }
    }

    /// Claims up to `limit` items: waiting ones first, in discovery order, then those whose
    /// holder died. Empty when there is nothing to claim right now.
    public func claim(limit: Int) throws -> [CrawlItem] {
        guard limit > 0 else { return [] }
        return try pool.transaction { session in
            var claimed = try Self.items(session.query("""
                UPDATE frontier f SET state = 'claimed', holder = \(holder), claims = f.claims + 1, claimed_at = now()
                FROM (
                    SELECT canonical_url FROM frontier WHERE state = 'pending'
                    ORDER BY discovered LIMIT \(limit) FOR UPDATE SKIP LOCKED
                ) AS waiting
                WHERE f.canonical_url = waiting.canonical_url
                RETURNING f.url, f.canonical_url, f.source
                """))
            if claimed.count < limit {
                claimed += try Self.items(session.query("""
                    UPDATE frontier f SET holder = \(holder), claims = f.claims + 1, claimed_at = now()
                    FROM (
                        SELECT canonical_url FROM frontier o
                        WHERE o.state = 'claimed' AND o.holder <> \(holder)
                            AND \(unescaped: ClusterMember.isDead("o.holder"))
                        ORDER BY discovered LIMIT \(limit - claimed.count) FOR UPDATE SKIP LOCKED
                    ) AS orphaned
                    WHERE f.canonical_url = orphaned.canonical_url
                    RETURNING f.url, f.canonical_url, f.source
                    """))
            }
            return claimed
        }
    }

    /// Whether anything is left that this holder could claim later: waiting items, or items
    /// of holders that have died. Items claimed by live holders are theirs to finish.
    public func hasClaimableWork() throws -> Bool {
        try pool.withConnection { session in
            try session.query("""
                SELECT EXISTS (SELECT 1 FROM frontier WHERE state = 'pending')
                    OR EXISTS (
                        SELECT 1 FROM frontier o
                        WHERE o.state = 'claimed' AND o.holder <> \(holder)
                            AND \(unescaped: ClusterMember.isDead("o.holder")))
                """).first.map { try $0.decode(Bool.self) } ?? false
        }
    }

    /// Whether another holder that is alive still holds claims (it may yet die and leave them).
    public func othersHoldClaims() throws -> Bool {
        try pool.withConnection { session in
            try session.query("""
                SELECT EXISTS (
                    SELECT 1 FROM frontier o JOIN holders h ON h.holder = o.holder
                    WHERE o.state = 'claimed' AND o.holder <> \(holder) AND h.alive_until > now())
                """).first.map { try $0.decode(Bool.self) } ?? false
        }
    }

    /// Everything this holder claimed is handled (exported, or failed with its reason): its
    /// claims are done.
    public func finish() throws {
        try pool.withConnection { session in
            try session.query("UPDATE frontier SET state = 'done' WHERE state = 'claimed' AND holder = \(holder)")
        }
    }

    /// A run stopped before handling its claims: they go back to the pool at once.
    public func release() throws {
        try pool.withConnection { session in
            try session.query("UPDATE frontier SET state = 'pending', holder = NULL WHERE state = 'claimed' AND holder = \(holder)")
        }
    }

    /// URLs claimed more than once: taken over from a holder that died (or released by one
    /// that stopped early).
    public func claimedMoreThanOnce() throws -> Set<String> {
        try pool.withConnection { session in
            Set(try session.query("SELECT canonical_url FROM frontier WHERE claims > 1").map { try $0.decode(String.self) })
        }
    }

    private static func items(_ rows: PostgresQueryResult) throws -> [CrawlItem] {
        try rows.map { row in
            let (url, canonical, source) = try row.decode((String, String, String).self)
            return CrawlItem(url: url, canonicalURL: canonical, source: source)
        }
    }
}
