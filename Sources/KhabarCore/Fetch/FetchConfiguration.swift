/// Everything the fetcher can be told. Defaults are polite settings for crawling news sites.
public struct FetchConfiguration: Sendable {
    /// Sent on every request and matched against robots.txt groups (by its product token, the
    /// part before the first "/"). Include a contact URL.
    public var userAgent = "khabar/0.1 (+https://github.com/khabar/khabar)"

    // Timeouts.
    public var connectTimeout: Duration = .seconds(10)
    /// The whole transfer of one hop, from connect to last byte.
    public var totalTimeout: Duration = .seconds(30)
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedTime` is abandoned.
    public var lowSpeedBytesPerSecond = 256
    /// Whole seconds (libcurl's granularity), at least 1.
    public var lowSpeedTime: Duration = .seconds(20)

    // Limits.
    /// Bytes on the wire after transfer decoding, before decompression; a Content-Length above it
    /// is refused before the body is read.
    public var maxBodyBytes = 8 << 20
    /// Bytes after decompression: the write callback aborts the transfer past this.
    public var maxDecompressedBytes = 16 << 20
    public var maxRedirects = 5

    // Politeness.
    public var obeysRobotsTxt = true
    /// How long a robots.txt is trusted when its response says nothing shorter (RFC 9309: 24 h).
    public var robotsCacheLifetime: Duration = .seconds(24 * 3600)
    /// After a 5xx or unreachable robots.txt, the host is off limits this long before robots.txt
    /// is asked again.
    public var robotsRetryAfterFailure: Duration = .seconds(60)
    public var maxRobotsBytes = 512 * 1024
    public var perHostConcurrency = 2
    /// Between two request starts on the same host; robots.txt Crawl-delay raises it.
    public var minimumDelayPerHost: Duration = .seconds(1)
    /// A Crawl-delay above this is clamped (some sites ask for minutes).
    public var maximumCrawlDelay: Duration = .seconds(30)
    public var globalConcurrency = 64

    // Retries.
    /// Attempts per hop for retryable failures (timeouts, connection errors, 429, 5xx).
    public var maxAttempts = 3
    public var retryBaseDelay: Duration = .milliseconds(500)
    public var retryMaxDelay: Duration = .seconds(30)
    /// A Retry-After longer than this is waited only this long before the next attempt.
    public var maxRetryAfter: Duration = .seconds(60)
    /// Consecutive failed attempts on a host that open its circuit breaker.
    public var circuitBreakerThreshold = 5
    /// How long an open breaker pauses the host (clamped to 60 s).
    public var circuitBreakerPause: Duration = .seconds(30)

    // Security.
    /// Refuse internal addresses (loopback, private, link-local, CGNAT, ULA, multicast,
    /// unspecified) after DNS resolution and on every redirect hop.
    public var refusesInternalAddresses = true
    /// CIDR networks exempt from the guard, such as "127.0.0.0/8" for tests or "10.1.0.0/16"
    /// for an intranet mirror. Unparseable entries make `CurlFetcher.init` throw.
    public var allowedNetworks: [String] = []

    public init() {}

    /// The robots.txt product token: the user agent up to its first "/" or space.
    var robotsProductToken: String {
        String(userAgent.prefix { $0 != "/" && $0 != " " }).lowercased()
    }
}

extension Duration {
    var secondsDouble: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    var milliseconds: Int {
        let parts = components
        return Int(parts.seconds) * 1000 + Int(parts.attoseconds / 1_000_000_000_000_000)
    }
}
