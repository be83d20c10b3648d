/// Circuit-breaker pauses shared with other processes (a shared PostgreSQL state): a host that
/// one process paused after repeated failures is left alone by the others too, until the pause
/// runs out.
public protocol SharedHostPauses: Sendable {
    /// Tells the others that `host` ("host:port") is paused for `duration` from now, and why.
    func pause(host: String, for duration: Duration, reason: String) async throws
    /// How long `host` stays paused by any process; nil when it is not. Asked before every
    /// request, so an implementation answers from a short-lived local copy.
    func pauseRemaining(host: String) async throws -> Duration?
}
