internal import Foundation

/// Politeness bookkeeping: per-host concurrency and spacing between request starts, a global
/// concurrency cap, and per-host circuit breakers.
///
/// Waiting tasks sleep on continuations (never polling); a released slot wakes the waiters,
/// which try again. Time spacing is handed out as reservations: a task that gets a slot also
/// gets its start time and sleeps until then, holding the slot.
final class HostGate: Sendable {
    struct Settings: Sendable {
        var perHostConcurrency: Int
        var globalConcurrency: Int
        var circuitBreakerThreshold: Int
        var circuitBreakerPause: Duration
    }

    private struct HostState {
        var active = 0
        var nextStart = ContinuousClock.Instant.now
        var consecutiveFailures = 0
        var pausedUntil: ContinuousClock.Instant?
    }

    private struct State {
        var hosts: [String: HostState] = [:]
        var globalActive = 0
        var waiters: [WaitTicket] = []
    }

    private let settings: Settings
    private let state = LockedValue(State())

    init(settings: Settings) {
        self.settings = settings
    }

    /// Runs `body` holding a slot for `host`, started no sooner than `spacing` after the
    /// previous start on that host. The breaker is the caller's to check (`pauseRemaining`).
    func withSlot<Result: Sendable>(host: String, spacing: Duration, _ body: () async throws -> Result) async throws -> Result {
        let start = try await acquire(host: host, spacing: spacing)
        do {
            if start > .now { try await Task.sleep(until: start, clock: .continuous) }
            let result = try await body()
            release(host: host)
            return result
        } catch {
            release(host: host)
            throw error
        }
    }

    /// How long the host's breaker stays open; nil when it is closed.
    func pauseRemaining(host: String) -> Duration? {
        state.withLock { state in
            guard let until = state.hosts[host]?.pausedUntil else { return nil }
            let now = ContinuousClock.Instant.now
            return until > now ? until - now : nil
        }
    }

    /// A failed attempt (timeout, connection error, 429, 5xx): counts toward the breaker and
    /// delays the host's next start by `retryAfter`, when the server asked for one.
    /// - Returns: how long the host is now paused, when this failure (re)opened its breaker.
    @discardableResult
    func recordFailure(host: String, retryAfter: Duration?) -> Duration? {
        state.withLock { state in
            var entry = state.hosts[host, default: HostState()]
            entry.consecutiveFailures += 1
            let now = ContinuousClock.Instant.now
            let pause = entry.consecutiveFailures >= settings.circuitBreakerThreshold ? min(settings.circuitBreakerPause, .seconds(60)) : nil
            if let pause { entry.pausedUntil = now + pause }
            if let retryAfter { entry.nextStart = max(entry.nextStart, now + retryAfter) }
            state.hosts[host] = entry
            return pause
        }
    }

    func recordSuccess(host: String) {
        state.withLock { state in
            state.hosts[host]?.consecutiveFailures = 0
            state.hosts[host]?.pausedUntil = nil
        }
    }

    private func acquire(host: String, spacing: Duration) async throws -> ContinuousClock.Instant {
        while true {
            try Task.checkCancellation()
            let ticket = WaitTicket()
            let start: ContinuousClock.Instant? = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<ContinuousClock.Instant?, Never>) in
                    state.withLock { state in
                        // Decide and enqueue under one lock so a release cannot slip between.
                        var entry = state.hosts[host, default: HostState()]
                        if entry.active < settings.perHostConcurrency && state.globalActive < settings.globalConcurrency {
                            let now = ContinuousClock.Instant.now
                            let start = max(now, entry.nextStart)
                            entry.nextStart = start + spacing
                            entry.active += 1
                            state.globalActive += 1
                            state.hosts[host] = entry
                            continuation.resume(returning: start)
                        } else if ticket.arm(continuation) {
                            state.waiters.append(ticket)
                        } else {
                            continuation.resume(returning: nil)
                        }
                    }
                }
            } onCancel: {
                ticket.cancel()
            }
            if let start { return start }
        }
    }

    private func release(host: String) {
        let waiters = state.withLock { state -> [WaitTicket] in
            state.hosts[host]?.active -= 1
            state.globalActive -= 1
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.wake() }
    }
}

/// A task waiting for a slot; woken (to try again) or cancelled, exactly once.
private final class WaitTicket: Sendable {
    private enum State {
        case new
        case waiting(CheckedContinuation<ContinuousClock.Instant?, Never>)
        case done
    }

    private let state = LockedValue(State.new)

    /// Stores the continuation; false when the task was cancelled already.
    func arm(_ continuation: CheckedContinuation<ContinuousClock.Instant?, Never>) -> Bool {
        state.withLock { state in
            guard case .new = state else { return false }
            state = .waiting(continuation)
            return true
        }
    }

    func wake() { take()?.resume(returning: nil) }
    func cancel() { take()?.resume(returning: nil) }

    private func take() -> CheckedContinuation<ContinuousClock.Instant?, Never>? {
        state.withLock { state in
            defer { state = .done }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
    }
}
