internal import CCurl
internal import Foundation

/// The fetcher: polite, size-limited, SSRF-guarded GETs over libcurl, with conditional GET.
///
/// One value per process is the intent: it owns the curl thread and its connection pool.
/// Each `fetch` walks redirects itself (every hop passes robots.txt, the politeness gate and
/// the address guard), retries retryable failures with backoff, and sends stored validators.
/// Call `shutdown()` when done; requests still in flight then fail with `FetchError.shutDown`.
public final class CurlFetcher: Sendable {
    public let configuration: FetchConfiguration
    private let driver: CurlDriver
    private let gate: HostGate
    private let robots = RobotsCache()
    private let validatorStore: (any FetchValidatorStore)?
    private let addressGuard: AddressGuard
    /// Held around every request as well as this process's own gate (several daemons, one site).
    private let sharedHostLimit: (any SharedHostLimit)?
    /// Asked when this process's own robots.txt cache has nothing live for an origin.
    private let sharedRobotsTxt: (any SharedRobotsTxtStore)?
    /// Pauses that other processes' breakers opened, and where this one's are announced.
    private let sharedHostPauses: (any SharedHostPauses)?

    /// - Parameters:
    ///   - configuration: limits, politeness and security settings.
    ///   - validatorStore: where ETag/Last-Modified are kept for conditional GET; nil sends no
    ///     conditional headers and stores nothing.
    ///   - sharedHostLimit: per-host slots shared with other processes, taken around every
    ///     request as well as this fetcher's own per-host limit; nil: this process is alone.
    ///   - sharedRobotsTxt: robots.txt answers shared with other processes, behind this
    ///     fetcher's own cache; nil: robots.txt is fetched by each process.
    ///   - sharedHostPauses: circuit-breaker pauses shared with other processes; nil: each
    ///     process pauses a failing host for itself only.
    /// - Throws: `FetchError.invalidConfiguration` for an unparseable `allowedNetworks` entry.
    public init(
        configuration: FetchConfiguration = FetchConfiguration(), validatorStore: (any FetchValidatorStore)? = nil,
        sharedHostLimit: (any SharedHostLimit)? = nil, sharedRobotsTxt: (any SharedRobotsTxtStore)? = nil,
        sharedHostPauses: (any SharedHostPauses)? = nil
    ) throws(FetchError) {
        var allowed: [IPNetwork] = []
        for text in configuration.allowedNetworks {
            guard let network = IPNetwork(text) else { throw .invalidConfiguration("allowed network \(LogExcerpt.escaped(text))") }
            allowed.append(network)
        }
        guard configuration.perHostConcurrency > 0, configuration.globalConcurrency > 0, configuration.maxAttempts > 0 else {
            throw .invalidConfiguration("concurrency and attempts must be at least 1")
        }
        self.configuration = configuration
        self.validatorStore = validatorStore
        self.sharedHostLimit = sharedHostLimit
        self.sharedRobotsTxt = sharedRobotsTxt
        self.sharedHostPauses = sharedHostPauses
        self.addressGuard = AddressGuard(enabled: configuration.refusesInternalAddresses, allowed: allowed)
        self.gate = HostGate(settings: .init(
            perHostConcurrency: configuration.perHostConcurrency,
            globalConcurrency: configuration.globalConcurrency,
            circuitBreakerThreshold: configuration.circuitBreakerThreshold,
            circuitBreakerPause: configuration.circuitBreakerPause))
        self.driver = CurlDriver()
    }

    /// Stops the curl thread. Safe to call more than once.
    public func shutdown() {
        driver.shutdown()
    }

    /// Fetches `url`, following up to `maxRedirects` redirects.
    ///
    /// - Parameter conditional: whether to send the stored validators and store the new ones;
    ///   `false` for pages that are fetched in full whenever they are fetched (articles in the
    ///   daemon), so the validator store keeps only what is fetched again (feeds, sitemaps).
    /// - Returns: `.fetched` for a 2xx (validators stored under the final URL), `.notModified`
    ///   for a 304 to the validators sent.
    /// - Throws: `FetchError` (see `isRetryable`), or `CancellationError` when the task is
    ///   cancelled (the transfer is removed from libcurl at once).
    public func fetch(_ url: String, conditional: Bool = true) async throws -> FetchOutcome {
        let validatorStore = conditional ? self.validatorStore : nil
        let requested = try ParsedURL(url)
        var current = requested
        var visited: Set<String> = [requested.canonical]
        var redirects = 0
        while true {
            let (response, attempts) = try await fetchHop(current, validatorStore: validatorStore)
            switch response.status {
            case 304:
                return .notModified(makePage(requested: url, final: current, response: response, body: [], redirects: redirects, attempts: attempts))
            case 300...399:
                guard let location = response.redirectURL, let next = try? ParsedURL(location) else {
                    throw FetchError.badRedirect(status: response.status, location: response.redirectURL ?? header("location", in: response))
                }
                redirects += 1
                guard redirects <= configuration.maxRedirects else { throw FetchError.tooManyRedirects(limit: configuration.maxRedirects) }
                guard visited.insert(next.canonical).inserted else { throw FetchError.redirectLoop(url: next.canonical) }
                current = next
            case 200...299:
                let page = makePage(requested: url, final: current, response: response, body: response.body, redirects: redirects, attempts: attempts)
                if let validatorStore {
                    let validators = Self.isStillChanging(lastModified: page.lastModified, date: header("date", in: response), now: Date())
                        ? FetchValidators() : FetchValidators(etag: page.etag, lastModified: page.lastModified)
                    await validatorStore.store(validators, for: current.canonical)
                }
                return .fetched(page)
            default:
                throw FetchError.httpStatus(response.status, retryAfterSeconds: nil)
            }
        }
    }

    /// Sends one request, inside one of the host's shared slots and spaced from the other
    /// processes' requests to it when other processes share the site.
    private func perform(_ request: TransferRequest, host: String, spacing: Duration) async throws -> TransferResponse {
        guard let sharedHostLimit else { return try await driver.perform(request) }
        return try await sharedHostLimit.withSlot(host: host, spacing: spacing) { try await driver.perform(request) }
    }

    // MARK: - One hop

    /// One URL, no redirects: robots.txt, breaker, politeness slot, retries.
    ///
    /// At most `maxAttempts` requests are sent. While the host's breaker is open the URL waits
    /// for it to close (at most `maxAttempts` times) instead of failing unasked: a healthy page
    /// must not be lost because other pages of its host failed.
    private func fetchHop(_ url: ParsedURL, validatorStore: (any FetchValidatorStore)?) async throws -> (TransferResponse, attempts: Int) {
        var attempt = 0
        var breakerWaits = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            // A literal internal address is refused before robots.txt is even asked.
            if let literal = url.literalAddress, !addressGuard.permits(literal) {
                throw FetchError.addressRefused(host: url.host, address: IPAddressText.format(literal))
            }
            var spacing = configuration.minimumDelayPerHost
            if configuration.obeysRobotsTxt {
                switch await robots.verdict(for: url.origin, load: { [self] in await sharedOrLoadedRobots(for: url) }) {
                case .unavailable:
                    throw FetchError.robotsUnavailable(host: url.host)
                case .failed(let error):
                    throw error
                case .rules(let rules):
                    guard rules.allows(url.pathAndQuery) else { throw FetchError.disallowedByRobots(url: url.canonical) }
                    if let delay = rules.crawlDelaySeconds {
                        spacing = max(spacing, min(.milliseconds(Int(delay * 1000)), configuration.maximumCrawlDelay))
                    }
                }
            }
            if let remaining = await pauseRemaining(host: url.hostKey) {
                guard breakerWaits < configuration.maxAttempts else {
                    throw FetchError.hostPaused(host: url.hostKey, seconds: Int(remaining.secondsDouble.rounded(.up)))
                }
                breakerWaits += 1
                attempt -= 1  // nothing was sent
                try await Task.sleep(for: remaining)
                continue
            }
            let validators = await validatorStore?.validators(for: url.canonical)
            let request = makeRequest(url: url.canonical, validators: validators,
                                      maxBodyBytes: configuration.maxBodyBytes, maxDecompressedBytes: configuration.maxDecompressedBytes)

            let failure: FetchError
            var retryAfter: Duration?
            do {
                let response = try await gate.withSlot(host: url.hostKey, spacing: spacing) {
                    try await perform(request, host: url.hostKey, spacing: spacing)
                }
                let status = response.status
                if status == 429 || status == 408 || (500...599).contains(status) {
                    retryAfter = Self.retryAfter(header("retry-after", in: response), now: Date())
                    failure = .httpStatus(status, retryAfterSeconds: retryAfter.map { Int($0.components.seconds) })
                } else {
                    gate.recordSuccess(host: url.hostKey)
                    return (response, attempt)
                }
            } catch let error as FetchError {
                failure = error
            }
            guard failure.isRetryable else { throw failure }
            let cappedRetryAfter = retryAfter.map { min($0, configuration.maxRetryAfter) }
            if let pause = gate.recordFailure(host: url.hostKey, retryAfter: cappedRetryAfter), let sharedHostPauses {
                // Lost only if PostgreSQL is unreachable; this process still pauses on its own.
                try? await sharedHostPauses.pause(host: url.hostKey, for: pause, reason: failure.description)
            }
            guard attempt < configuration.maxAttempts else { throw failure }
            try await Task.sleep(for: cappedRetryAfter ?? backoff(attempt: attempt))
        }
    }

    /// The longer of this process's own pause of `host` and one another process announced.
    private func pauseRemaining(host: String) async -> Duration? {
        let own = gate.pauseRemaining(host: host)
        // Unreachable shared state: go by this process's own breaker alone.
        guard let sharedHostPauses, let shared = try? await sharedHostPauses.pauseRemaining(host: host) else { return own }
        return max(own ?? .zero, shared)
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so synchronized
    /// failures do not retry in lockstep.
    private func backoff(attempt: Int) -> Duration {
        let exponential = configuration.retryBaseDelay * (1 << min(attempt - 1, 20))
        let capped = min(exponential, configuration.retryMaxDelay)
        return capped / 2 + capped / 2 * Double.random(in: 0...1)
    }

    private func makeRequest(url: String, validators: FetchValidators?, maxBodyBytes: Int, maxDecompressedBytes: Int) -> TransferRequest {
        var lines: [String] = []
        if let etag = validators?.etag, Self.isSafeHeaderValue(etag) { lines.append("If-None-Match: \(etag)") }
        if let date = validators?.lastModified, Self.isSafeHeaderValue(date) { lines.append("If-Modified-Since: \(date)") }
        return TransferRequest(
            url: url,
            headerLines: lines,
            userAgent: configuration.userAgent,
            connectTimeoutMilliseconds: max(1, configuration.connectTimeout.milliseconds),
            totalTimeoutMilliseconds: max(1, configuration.totalTimeout.milliseconds),
            lowSpeedBytesPerSecond: configuration.lowSpeedBytesPerSecond,
            lowSpeedSeconds: max(1, Int(configuration.lowSpeedTime.components.seconds)),
            maxBodyBytes: maxBodyBytes,
            maxDecompressedBytes: maxDecompressedBytes,
            addressGuard: addressGuard)
    }

    private func makePage(requested: String, final: ParsedURL, response: TransferResponse, body: [UInt8], redirects: Int, attempts: Int) -> FetchedPage {
        let contentType = header("content-type", in: response)
        return FetchedPage(
            requestedURL: requested,
            finalURL: final.canonical,
            status: response.status,
            headers: response.headers,
            body: body,
            charset: contentType.flatMap(Self.charset(fromContentType:)),
            contentType: contentType,
            etag: header("etag", in: response),
            lastModified: header("last-modified", in: response),
            fetchedAt: Date(),
            redirectCount: redirects,
            attempts: attempts)
    }

    private func header(_ name: String, in response: TransferResponse) -> String? {
        response.headers.first { $0.name == name }?.value
    }

    // MARK: - robots.txt

    /// What another process stored for `url`'s origin while it holds; otherwise robots.txt
    /// fetched here, and stored for the others. While another process is fetching it, its
    /// answer is awaited (until its claim runs out) rather than the site asked twice: processes
    /// that start together, or whose copies expire together, would otherwise all ask at once.
    /// A failing shared store costs only the saving.
    private func sharedOrLoadedRobots(for url: ParsedURL) async -> RobotsCache.Fetched {
        guard let sharedRobotsTxt else { return await loadRobots(for: url) }
        // Long enough for a fetch with a redirect or a wait for a slot; a claim that runs out
        // only lets a second process fetch it too.
        let claimFor = configuration.totalTimeout * 2
        while true {
            let lookup: SharedRobotsTxtLookup
            do {
                lookup = try await sharedRobotsTxt.lookUpRobotsTxt(origin: url.origin, host: url.hostKey, claimFor: claimFor)
            } catch {
                return await loadRobots(for: url)
            }
            switch lookup {
            case .stored(let stored):
                return RobotsCache.Fetched(verdict: verdict(of: stored.answer), lifetime: stored.remaining, shareable: stored.answer)
            case .beingFetchedElsewhere:
                // Not cancellable (the cache's loading task is shared by its waiters); bounded by the claim.
                try? await Task.sleep(for: .milliseconds(100))
            case .fetchHere:
                let loaded = await loadRobots(for: url)
                if let answer = loaded.shareable {
                    try? await sharedRobotsTxt.storeRobotsTxt(answer, origin: url.origin, host: url.hostKey, lifetime: loaded.lifetime)
                } else {
                    try? await sharedRobotsTxt.releaseRobotsTxtClaim(origin: url.origin)
                }
                return loaded
            }
        }
    }

    private func verdict(of answer: SharedRobotsTxt.Answer) -> RobotsCache.Verdict {
        switch answer {
        case .body(let body): return .rules(RobotsRules(parsing: body, productToken: configuration.robotsProductToken))
        case .allowAll: return .rules(.allowAll)
        case .unavailable: return .unavailable
        }
    }

    /// Fetches robots.txt for `url`'s origin (RFC 9309 §2.3): 2xx parsed, 4xx allows all,
    /// 5xx or unreachable disallows all for `robotsRetryAfterFailure`; up to 5 redirects.
    private func loadRobots(for url: ParsedURL) async -> RobotsCache.Fetched {
        let unavailable = RobotsCache.Fetched(verdict: .unavailable, lifetime: configuration.robotsRetryAfterFailure, shareable: .unavailable)
        let allowAll = RobotsCache.Fetched(verdict: .rules(.allowAll), lifetime: configuration.robotsCacheLifetime, shareable: .allowAll)
        guard var target = try? ParsedURL(url.robotsURL) else { return unavailable }
        for _ in 0...5 {
            if let literal = target.literalAddress, !addressGuard.permits(literal) {
                return RobotsCache.Fetched(verdict: .failed(.addressRefused(host: target.host, address: IPAddressText.format(literal))),
                                           lifetime: configuration.robotsRetryAfterFailure)
            }
            let request = makeRequest(url: target.canonical, validators: nil,
                                      maxBodyBytes: configuration.maxRobotsBytes, maxDecompressedBytes: configuration.maxRobotsBytes)
            let response: TransferResponse
            do {
                response = try await gate.withSlot(host: target.hostKey, spacing: configuration.minimumDelayPerHost) {
                    try await perform(request, host: target.hostKey, spacing: configuration.minimumDelayPerHost)
                }
            } catch let error as FetchError {
                switch error {
                case .addressRefused, .shutDown:
                    return RobotsCache.Fetched(verdict: .failed(error), lifetime: configuration.robotsRetryAfterFailure)
                default:
                    return unavailable
                }
            } catch {
                return unavailable
            }
            switch response.status {
            case 200...299:
                let rules = RobotsRules(parsing: response.body, productToken: configuration.robotsProductToken)
                return RobotsCache.Fetched(
                    verdict: .rules(rules), lifetime: robotsLifetime(header("cache-control", in: response)), shareable: .body(response.body))
            case 300...399:
                guard let location = response.redirectURL, let next = try? ParsedURL(location) else { return allowAll }
                target = next
            case 400...499:
                return allowAll
            default:
                return unavailable
            }
        }
        // More than five redirects: RFC 9309 lets us treat robots.txt as unavailable (4xx).
        return allowAll
    }

    /// `max-age` when shorter than `robotsCacheLifetime`, but at least a minute so a site
    /// sending max-age=0 does not get robots.txt asked before every page.
    private func robotsLifetime(_ cacheControl: String?) -> Duration {
        guard let cacheControl else { return configuration.robotsCacheLifetime }
        for directive in cacheControl.lowercased().split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { String($0).trimmingASCIIWhitespace() }
            if parts.count == 2, parts[0] == "max-age", let seconds = Int(parts[1]) {
                return max(.seconds(60), min(.seconds(seconds), configuration.robotsCacheLifetime))
            }
        }
        return configuration.robotsCacheLifetime
    }

    // MARK: - Header values

    /// The `charset` parameter of a Content-Type value, unquoted; nil when absent or empty.
    /// Works on bytes: it runs for every page, and Foundation's trimming is slow on Linux.
    static func charset(fromContentType value: String) -> String? {
        var utf8 = value.utf8[...]
        guard let firstSemicolon = utf8.firstIndex(of: UInt8(ascii: ";")) else { return nil }
        utf8 = utf8[utf8.index(after: firstSemicolon)...]
        for parameter in utf8.split(separator: UInt8(ascii: ";")) {
            guard let equals = parameter.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = Array(parameter[..<equals])[...].trimmingASCIIWhitespaceBytes()
            guard name.count == 7, name.elementsEqual("charset".utf8, by: { $0 | 0x20 == $1 }) else { continue }
            var charset = Array(parameter[parameter.index(after: equals)...])[...].trimmingASCIIWhitespaceBytes()
            if charset.count >= 2, charset.first == UInt8(ascii: "\""), charset.last == UInt8(ascii: "\"") {
                charset = charset.dropFirst().dropLast().trimmingASCIIWhitespaceBytes()
            }
            return charset.isEmpty ? nil : String(decoding: charset, as: UTF8.self)
        }
        return nil
    }

    /// Retry-After as delay-seconds or an HTTP-date (parsed by libcurl's `curl_getdate`);
    /// a date in the past means "now".
    static func retryAfter(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingASCIIWhitespace(), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? .seconds(seconds) : nil }
        let time = curl_getdate(value, nil)
        guard time != -1 else { return nil }
        return .seconds(max(0, Int(time) - Int(now.timeIntervalSince1970)))
    }

    /// Whether the document was modified within a second of being served (Last-Modified at or
    /// after Date − 1 s; `now` when there is no Date). Such validators are not kept: a file
    /// rewritten again in the same second keeps its Last-Modified, and a server that derives
    /// its ETag from mtime and size (nginx) its ETag too, so a conditional GET would be told
    /// "304, unchanged" about content never seen, for as long as the file then stays as it is.
    /// Apache makes such ETags weak for the same reason.
    static func isStillChanging(lastModified: String?, date: String?, now: Date) -> Bool {
        guard let lastModified, case let modified = curl_getdate(lastModified, nil), modified != -1 else { return false }
        let served = date.map { curl_getdate($0, nil) }.flatMap { $0 == -1 ? nil : Int($0) } ?? Int(now.timeIntervalSince1970)
        return Int(modified) >= served - 1
    }

    private static func isSafeHeaderValue(_ value: String) -> Bool {
        value.utf8.count <= 1024 && !value.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }
}
