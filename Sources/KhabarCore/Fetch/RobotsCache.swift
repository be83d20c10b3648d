/// robots.txt per origin, fetched once and shared by concurrent callers until it expires.
final class RobotsCache: Sendable {
    /// What a robots.txt fetch concluded.
    enum Verdict: Sendable {
        case rules(RobotsRules)
        /// 5xx or unreachable: disallow everything until `expires`.
        case unavailable
        /// robots.txt could not be asked for a reason that also stops the page (the SSRF
        /// guard refused the host, the fetcher shut down): that error, for every page.
        case failed(FetchError)
    }

    struct Fetched: Sendable {
        var verdict: Verdict
        var lifetime: Duration
        /// The site's answer as other processes can use it; nil for a `failed` verdict, which
        /// says something about this process (its address guard, its shutdown), not the site.
        var shareable: SharedRobotsTxt.Answer?
    }

    private enum Entry {
        case ready(Verdict, expires: ContinuousClock.Instant)
        case loading(Task<Fetched, Never>)
    }

    private let entries = LockedValue<[String: Entry]>([:])

    /// The verdict for `origin`, calling `load` (once, however many callers wait) when there
    /// is none or it expired.
    func verdict(for origin: String, load: @escaping @Sendable () async -> Fetched) async -> Verdict {
        enum Lookup { case cached(Verdict), loading(Task<Fetched, Never>) }
        let lookup: Lookup = entries.withLock { entries in
            if case .ready(let verdict, let expires)? = entries[origin], expires > .now {
                return .cached(verdict)
            }
            if case .loading(let task)? = entries[origin] { return .loading(task) }
            let task = Task { await load() }
            entries[origin] = .loading(task)
            return .loading(task)
        }
        let task: Task<Fetched, Never>
        switch lookup {
        case .cached(let verdict): return verdict
        case .loading(let loading): task = loading
        }
        let fetched = await task.value
        entries.withLock { entries in
            // The first waiter to get here stores the answer of this load.
            if case .loading(let current)? = entries[origin], current == task {
                entries[origin] = .ready(fetched.verdict, expires: .now + fetched.lifetime)
            }
        }
        return fetched.verdict
    }
}
