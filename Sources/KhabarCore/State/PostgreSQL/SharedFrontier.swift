internal import Foundation
internal import PostgresNIO

/// The URLs that backfills sharing one PostgreSQL state fetch, shared out so that each is
/// fetched by one of them: a queue table claimed with `FOR UPDATE SKIP LOCKED`.
///
/// Every daemon reads its inputs and adds what it finds (`add`: a URL listed by several
/// is one row). Each then claims rows to fetch. A claim holds for as long as its holder is
/// alive: holders renew a heartbeat (`beat`) every third of the lease, and the claims of a
/// holder whose heartbeat ran out go back to the others, who fetch them again; articles the
/// dead holder had exported are skipped then, since the ledger knows them.
///
/// Each claim ends as its item is handled: `markDone` once it is exported (its file committed)
/// or left out for good (skipped, filtered, a duplicate); `markFailed` when fetching it failed.
/// A failure that may mend (a timeout, a 5xx, a paused host) returns the URL to the pool with
/// its attempts counted and a time before which no one claims it (`RetryPolicy`); after
/// `maxAttempts`, or at once for one that cannot (a 404), the URL is `failed`.
public final class SharedFrontier: Sendable {
    /// How a URL whose fetch failed for now is tried again.
    public struct RetryPolicy: Sendable, Equatable {
        /// Failed fetch attempts (each a claim of its own) before the URL is marked failed.
        public var maxAttempts: Int
        /// Wait before the first retry; it doubles with each further failure, up to `maxDelay`.
        public var baseDelay: Duration
        public var maxDelay: Duration

        public init(maxAttempts: Int = 3, baseDelay: Duration = .seconds(10), maxDelay: Duration = .seconds(1800)) {
            self.maxAttempts = max(1, maxAttempts)
            self.baseDelay = baseDelay
            self.maxDelay = max(baseDelay, maxDelay)
        }
    }

    /// A claimed URL whose fetch failed, and whether trying it later may succeed.
    public struct Failure: Sendable, Equatable {
        public var canonicalURL: String
        public var reason: String
        public var retryable: Bool

        public init(canonicalURL: String, reason: String, retryable: Bool) {
            self.canonicalURL = canonicalURL
            self.reason = reason
            self.retryable = retryable
        }
    }

    let pool: PostgresConnectionPool
    public let member: ClusterMember
    public let retry: RetryPolicy
    var holder: String { member.holder }
    public var lease: Duration { member.lease }

    public init(member: ClusterMember, retry: RetryPolicy = RetryPolicy()) {
        pool = member.pool
        self.member = member
        self.retry = retry
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

    /// Claims up to `limit` items: waiting ones first (retries only once their time has
    /// come), in discovery order, then those whose holder died. Empty when there is nothing to
    /// claim right now.
    public func claim(limit: Int) throws -> [CrawlItem] {
        guard limit > 0 else { return [] }
        return try pool.transaction { session in
            var claimed = try Self.items(session.query("""
                UPDATE frontier f SET state = 'claimed', holder = \(holder), claims = f.claims + 1, claimed_at = now()
                FROM (
                    SELECT canonical_url FROM frontier
                    WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
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

    /// Whether anything is left that this holder could claim later: waiting items (retries
    /// not yet due among them), or items of holders that have died. Items claimed by live
    /// holders are theirs to finish.
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

    /// Items this holder claimed are handled: exported in a committed file, or left out for
    /// good. Claims it no longer holds (taken over after its heartbeat ran out) are not touched.
    public func markDone(_ canonicalURLs: [String]) throws {
        // Sorted: concurrent updates by several holders lock rows in one order.
        let urls = Array(Set(canonicalURLs)).sorted()
        guard !urls.isEmpty else { return }
        _ = try pool.withConnection { session in
            try session.query("""
                UPDATE frontier SET state = 'done', finished_at = now(), next_attempt_at = NULL
                WHERE canonical_url = ANY(\(urls)) AND state = 'claimed' AND holder = \(holder)
                """)
        }
    }

    /// Fetching these claimed items failed. Each counts an attempt; a retryable one with
    /// attempts left goes back to the pool, not to be claimed before its backoff has passed
    /// (`baseDelay` doubled per earlier failure, at most `maxDelay`); the others are `failed`.
    public func markFailed(_ failures: [Failure]) throws {
        var seen = Set<String>()
        let unique = failures.filter { seen.insert($0.canonicalURL).inserted }.sorted { $0.canonicalURL < $1.canonicalURL }
        guard !unique.isEmpty else { return }
        let retries = "u.retryable AND f.attempts + 1 < \(retry.maxAttempts)"
        _ = try pool.withConnection { session in
            try session.query("""
                UPDATE frontier f SET attempts = f.attempts + 1, last_error = u.reason,
                    state = CASE WHEN \(unescaped: retries) THEN 'pending' ELSE 'failed' END,
                    holder = CASE WHEN \(unescaped: retries) THEN NULL ELSE f.holder END,
                    next_attempt_at = CASE WHEN \(unescaped: retries)
                        THEN now() + make_interval(secs => LEAST(\(retry.baseDelay.seconds) * power(2, f.attempts), \(retry.maxDelay.seconds)))
                        END,
                    finished_at = CASE WHEN \(unescaped: retries) THEN NULL ELSE now() END
                FROM unnest(\(unique.map(\.canonicalURL)), \(unique.map(\.reason)), \(unique.map(\.retryable)))
                    AS u (canonical_url, reason, retryable)
                WHERE f.canonical_url = u.canonical_url AND f.state = 'claimed' AND f.holder = \(holder)
                """)
        }
    }

    /// The run has handled everything it claimed, and `markDone`/`markFailed` have recorded
    /// each outcome: what this holder still holds had none recorded (nothing should), and is
    /// done. Returns how many such claims there were.
    @discardableResult
    public func finish() throws -> Int {
        try pool.withConnection { session in
            try session.query("""
                UPDATE frontier SET state = 'done', finished_at = now() WHERE state = 'claimed' AND holder = \(holder)
                RETURNING 1
                """).reduce(0) { count, _ in count + 1 }
        }
    }

    /// A URL's row, for `khabar status` details and tests.
    public struct Entry: Sendable, Equatable {
        public var state: String
        public var attempts: Int
        public var claims: Int
        public var lastError: String?
        /// Seconds until it may be claimed again (a retry waiting for its time), if any.
        public var retryIn: Double?
    }

    public func entry(canonicalURL: String) throws -> Entry? {
        try pool.withConnection { session in
            try session.query("""
                SELECT state, attempts, claims, last_error,
                    CASE WHEN next_attempt_at > now() THEN EXTRACT(EPOCH FROM next_attempt_at - now())::float8 END
                FROM frontier WHERE canonical_url = \(canonicalURL)
                """).first.map { row in
                let (state, attempts, claims, error, retryIn) = try row.decode((String, Int, Int, String?, Double?).self)
                return Entry(state: state, attempts: attempts, claims: claims, lastError: error, retryIn: retryIn)
            }
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
