/// A per-host concurrency limit held together with other processes (a shared PostgreSQL
/// state's host slots): the fetcher takes one of a host's slots around every request it sends
/// there, on top of its own per-process gate.
public protocol SharedHostLimit: Sendable {
    /// Waits until one of `host`'s slots is free and takes it; returns the slot to give back.
    func acquire(host: String) async throws -> Int
    func release(host: String, slot: Int)
}

extension SharedHostLimit {
    func withSlot<Result: Sendable>(host: String, _ body: () async throws -> Result) async throws -> Result {
        let slot = try await acquire(host: host)
        defer { release(host: host, slot: slot) }
        return try await body()
    }
}
