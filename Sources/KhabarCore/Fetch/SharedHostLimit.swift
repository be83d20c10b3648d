/// Per-host politeness held together with other processes (a shared PostgreSQL state's host
/// slots and pacing): the fetcher takes one of a host's slots around every request it sends
/// there, on top of its own per-process gate, and starts the request no sooner than `spacing`
/// after the previous start on that host by any of the processes.
public protocol SharedHostLimit: Sendable {
    /// Waits until one of `host`'s slots is free and takes it, and reserves the host's next
    /// start: `spacing` after the last one reserved (by any process), or now if that is
    /// past. Returns the slot to give back and how long to wait before sending.
    func acquire(host: String, spacing: Duration) async throws -> (slot: Int, wait: Duration)
    func release(host: String, slot: Int)
}

extension SharedHostLimit {
    func withSlot<Result: Sendable>(host: String, spacing: Duration, _ body: () async throws -> Result) async throws -> Result {
        let (slot, wait) = try await acquire(host: host, spacing: spacing)
        defer { release(host: host, slot: slot) }
        if wait > .zero { try await Task.sleep(for: wait) }
        return try await body()
    }
}
