internal import Foundation
internal import PostgresNIO

/// robots.txt answers shared by every daemon of one PostgreSQL state: the file as one daemon
/// fetched it (or that it was missing or unavailable), until it expires on the server's clock.
/// Each daemon keeps its own cache in front of this, so the table is read only when a daemon
/// has nothing live for an origin. A daemon that finds nothing claims the row (`loading`, until
/// its claim runs out) and fetches; the others wait for its answer.
public final class SharedRobotsTxtCache: SharedRobotsTxtStore {
    let pool: PostgresConnectionPool

    public init(member: ClusterMember) {
        pool = member.pool
    }

    public func lookUpRobotsTxt(origin: String, host: String, claimFor: Duration) async throws -> SharedRobotsTxtLookup {
        try pool.withConnection { session in
            if let row = try session.query("""
                SELECT answer, body, EXTRACT(EPOCH FROM expires_at - now())::float8
                FROM robots_txt WHERE origin = \(origin) AND expires_at > now()
                """).first {
                let (kind, body, remaining) = try row.decode((String, Data?, Double).self)
                let lifetime = Duration.milliseconds(Int64((remaining * 1000).rounded(.down)))
                switch kind {
                case "body": return .stored(SharedRobotsTxt(answer: .body(Array(body ?? Data())), remaining: lifetime))
                case "allow_all": return .stored(SharedRobotsTxt(answer: .allowAll, remaining: lifetime))
                case "unavailable": return .stored(SharedRobotsTxt(answer: .unavailable, remaining: lifetime))
                case "loading": return .beingFetchedElsewhere
                default: return .fetchHere  // written by a newer khabar: fetch it here instead
                }
            }
            // Of daemons missing it together, the one whose insert (or takeover of an expired
            // row) lands first claims it; the others find a live row and get nothing back.
            let claimed = try session.query("""
                INSERT INTO robots_txt AS r (origin, host, answer, body, fetched_at, expires_at)
                VALUES (\(origin), \(host), 'loading', NULL, now(), now() + make_interval(secs => \(claimFor.seconds)))
                ON CONFLICT (origin) DO UPDATE SET host = EXCLUDED.host, answer = EXCLUDED.answer, body = NULL,
                    fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at
                WHERE r.expires_at <= now()
                RETURNING 1
                """).first != nil
            return claimed ? .fetchHere : .beingFetchedElsewhere
        }
    }

    public func storeRobotsTxt(_ answer: SharedRobotsTxt.Answer, origin: String, host: String, lifetime: Duration) async throws {
        let (kind, body): (String, Data?) = switch answer {
        case .body(let bytes): ("body", Data(bytes))
        case .allowAll: ("allow_all", nil)
        case .unavailable: ("unavailable", nil)
        }
        try pool.withConnection { session in
            try session.query("""
                INSERT INTO robots_txt (origin, host, answer, body, fetched_at, expires_at)
                VALUES (\(origin), \(host), \(kind), \(body), now(), now() + make_interval(secs => \(lifetime.seconds)))
                ON CONFLICT (origin) DO UPDATE SET host = EXCLUDED.host, answer = EXCLUDED.answer, body = EXCLUDED.body,
                    fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at
                """)
        }
    }

    public func releaseRobotsTxtClaim(origin: String) async throws {
        try pool.withConnection { session in
            try session.query("DELETE FROM robots_txt WHERE origin = \(origin) AND answer = 'loading'")
        }
    }
}

/// Circuit-breaker pauses shared by every daemon of one PostgreSQL state: a host one daemon
/// paused after repeated failures is paused for all of them until the pause runs out (on the
/// server's clock). Of two pauses, the one that ends later holds.
///
/// The fetcher asks before every request, so each answer (paused or not) is kept here for
/// `recheckInterval`: a daemon learns of another's pause at most that late, and asks the
/// server at most once per host per interval.
public final class SharedHostBreakers: SharedHostPauses {
    let pool: PostgresConnectionPool
    let member: ClusterMember
    public let recheckInterval: Duration
    private struct Known {
        var pausedUntil: ContinuousClock.Instant?
        var checkedAt: ContinuousClock.Instant
    }
    private let known = LockedValue<[String: Known]>([:])

    public init(member: ClusterMember, recheckInterval: Duration = .seconds(1)) {
        pool = member.pool
        self.member = member
        self.recheckInterval = recheckInterval
    }

    public func pause(host: String, for duration: Duration, reason: String) async throws {
        try pool.withConnection { session in
            try session.query("""
                INSERT INTO host_pauses AS p (host, paused_until, reason, paused_by, paused_at)
                VALUES (\(host), now() + make_interval(secs => \(duration.seconds)), \(reason), \(member.holder), now())
                ON CONFLICT (host) DO UPDATE SET paused_until = EXCLUDED.paused_until, reason = EXCLUDED.reason,
                    paused_by = EXCLUDED.paused_by, paused_at = EXCLUDED.paused_at
                WHERE p.paused_until < EXCLUDED.paused_until
                """)
        }
        let now = ContinuousClock.Instant.now
        known.withLock { known in
            let until = max(known[host]?.pausedUntil ?? now, now + duration)
            known[host] = Known(pausedUntil: until, checkedAt: now)
        }
    }

    public func pauseRemaining(host: String) async throws -> Duration? {
        let now = ContinuousClock.Instant.now
        if let copy = known.withLock({ $0[host] }), now - copy.checkedAt < recheckInterval {
            return Self.remaining(until: copy.pausedUntil, now: now)
        }
        let seconds = try pool.withConnection { session in
            try session.query("""
                SELECT EXTRACT(EPOCH FROM paused_until - now())::float8 FROM host_pauses
                WHERE host = \(host) AND paused_until > now()
                """).first.map { try $0.decode(Double.self) }
        }
        let until = seconds.map { now + .milliseconds(Int64(($0 * 1000).rounded(.up))) }
        known.withLock { $0[host] = Known(pausedUntil: until, checkedAt: now) }
        return Self.remaining(until: until, now: now)
    }

    private static func remaining(until: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> Duration? {
        guard let until, until > now else { return nil }
        return until - now
    }
}

extension CurlFetcher {
    /// A fetcher whose per-host politeness (slots, pacing, robots.txt, breaker pauses) is shared
    /// with the other daemons of `member`'s state; without a member it keeps its own.
    static func sharingPoliteness(
        with member: ClusterMember?, configuration: FetchConfiguration, validatorStore: (any FetchValidatorStore)?
    ) throws(FetchError) -> CurlFetcher {
        try CurlFetcher(
            configuration: configuration, validatorStore: validatorStore,
            sharedHostLimit: member.map { SharedHostSlots(member: $0, perHost: configuration.perHostConcurrency) },
            sharedRobotsTxt: member.map { SharedRobotsTxtCache(member: $0) },
            sharedHostPauses: member.map { SharedHostBreakers(member: $0) })
    }
}
