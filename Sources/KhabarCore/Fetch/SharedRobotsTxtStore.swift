/// robots.txt answers shared with other processes (a shared PostgreSQL state): what one process
/// fetched, the others use until it expires instead of asking the site again. The fetcher
/// consults it only when its own per-process cache has no live entry for the origin.
public protocol SharedRobotsTxtStore: Sendable {
    /// The answer stored for `origin` ("scheme://host:port") while it holds; when there is
    /// none, either the right to fetch it (held for `claimFor`, so that processes missing it
    /// together ask the site once) or word that another process is fetching it now.
    func lookUpRobotsTxt(origin: String, host: String, claimFor: Duration) async throws -> SharedRobotsTxtLookup
    /// Stores what this process fetched for `origin` (on `host`, "host:port"), good for
    /// `lifetime`; this ends its claim.
    func storeRobotsTxt(_ answer: SharedRobotsTxt.Answer, origin: String, host: String, lifetime: Duration) async throws
    /// Gives up a claim without an answer to share (this process's fetch failed for a reason
    /// of its own), so the others need not wait for the claim to run out.
    func releaseRobotsTxtClaim(origin: String) async throws
}

public enum SharedRobotsTxtLookup: Sendable, Equatable {
    case stored(SharedRobotsTxt)
    /// Nothing stored; this process now holds the claim to fetch it.
    case fetchHere
    /// Nothing stored yet; another process holds the claim: ask again shortly.
    case beingFetchedElsewhere
}

public struct SharedRobotsTxt: Sendable, Equatable {
    /// What the site answered. The file itself, not the rules for one user agent, so each
    /// process parses it for its own.
    public enum Answer: Sendable, Equatable {
        /// 2xx: the file as served.
        case body([UInt8])
        /// 4xx, or too many redirects: everything allowed.
        case allowAll
        /// 5xx or unreachable: nothing allowed until it expires.
        case unavailable
    }

    public var answer: Answer
    /// How long the answer still holds.
    public var remaining: Duration

    public init(answer: Answer, remaining: Duration) {
        self.answer = answer
        self.remaining = remaining
    }
}
