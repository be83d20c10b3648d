/// robots.txt answers shared with other processes (a shared PostgreSQL state): what one process
/// fetched, the others use until it expires instead of asking the site again. The fetcher
/// consults it only when its own per-process cache has no live entry for the origin.
public protocol SharedRobotsTxtStore: Sendable {
    /// The answer stored for `origin` ("scheme://host:port") that has not expired, with how
    /// long it still holds; nil when there is none.
    func storedRobotsTxt(origin: String) async throws -> SharedRobotsTxt?
    /// Stores what this process fetched for `origin` (on `host`, "host:port"), good for `lifetime`.
    func storeRobotsTxt(_ answer: SharedRobotsTxt.Answer, origin: String, host: String, lifetime: Duration) async throws
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
