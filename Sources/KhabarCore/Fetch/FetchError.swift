/// Why a fetch produced no page.
///
/// `isRetryable` tells the scheduler whether trying the same URL later can succeed; the fetcher
/// itself has already retried the retryable ones `FetchConfiguration.maxAttempts` times.
public enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL does not parse, or has no host.
    case invalidURL(String)
    /// Only http and https are fetched.
    case unsupportedScheme(String)
    /// The SSRF guard refused to connect: the host resolved to (or is) a loopback, private,
    /// link-local, multicast or otherwise internal address that is not on the allow list.
    case addressRefused(host: String, address: String)
    /// robots.txt disallows the path for our user agent.
    case disallowedByRobots(url: String)
    /// robots.txt answered 5xx or could not be reached: nothing on the host is fetched until a
    /// later attempt at robots.txt succeeds (RFC 9309 §2.3.1.4).
    case robotsUnavailable(host: String)
    /// The host's circuit breaker is open after repeated failures.
    case hostPaused(host: String, seconds: Int)
    case tooManyRedirects(limit: Int)
    case redirectLoop(url: String)
    /// A 3xx without a usable Location, or one pointing at a non-http(s) URL.
    case badRedirect(status: Int, location: String?)
    /// A final HTTP error status. `retryAfterSeconds` is the server's Retry-After, if any.
    case httpStatus(Int, retryAfterSeconds: Int?)
    /// Connect, total or low-speed timeout.
    case timedOut(String)
    /// DNS failure, refused or reset connection, truncated body, TLS failure.
    case connectionFailed(String)
    /// The body on the wire (before decompression) passed `maxBodyBytes`.
    case bodyTooLarge(limit: Int)
    /// The decompressed body passed `maxDecompressedBytes` (a compression bomb is cut off here).
    case decompressedBodyTooLarge(limit: Int)
    /// A 2xx body in an encoding we did not ask for, or whose compressed data is corrupt.
    case badContentEncoding(String)
    /// Any other libcurl failure: its code and message.
    case transport(code: Int, message: String)
    /// The fetcher was shut down while the request was queued or in flight.
    case shutDown
    /// A `FetchConfiguration` value is unusable (an unparseable allowed network, …).
    case invalidConfiguration(String)

    public var isRetryable: Bool {
        switch self {
        case .timedOut, .connectionFailed, .robotsUnavailable, .hostPaused:
            return true
        case .httpStatus(let status, _):
            return status == 429 || status == 408 || (500...599).contains(status)
        case .invalidURL, .unsupportedScheme, .addressRefused, .disallowedByRobots, .tooManyRedirects,
             .redirectLoop, .badRedirect, .bodyTooLarge, .decompressedBodyTooLarge, .badContentEncoding, .transport, .shutDown,
             .invalidConfiguration:
            return false
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL \(LogExcerpt.escaped(url))"
        case .unsupportedScheme(let scheme): return "unsupported scheme \(LogExcerpt.escaped(scheme)) (only http and https)"
        case .addressRefused(let host, let address): return "refused to connect to \(LogExcerpt.escaped(host)) at internal address \(address)"
        case .disallowedByRobots(let url): return "robots.txt disallows \(LogExcerpt.escaped(url))"
        case .robotsUnavailable(let host): return "robots.txt of \(LogExcerpt.escaped(host)) unavailable (5xx or unreachable); try later"
        case .hostPaused(let host, let seconds): return "host \(LogExcerpt.escaped(host)) paused for \(seconds) s after repeated failures"
        case .tooManyRedirects(let limit): return "more than \(limit) redirects"
        case .redirectLoop(let url): return "redirect loop at \(LogExcerpt.escaped(url))"
        case .badRedirect(let status, let location): return "HTTP \(status) redirect to unusable location \(LogExcerpt.escaped(location ?? "(none)"))"
        case .httpStatus(let status, let retryAfter):
            return retryAfter.map { "HTTP \(status) (Retry-After \($0) s)" } ?? "HTTP \(status)"
        case .timedOut(let detail): return "timed out: \(detail)"
        case .connectionFailed(let detail): return "connection failed: \(detail)"
        case .bodyTooLarge(let limit): return "body larger than \(limit) bytes"
        case .decompressedBodyTooLarge(let limit): return "decompressed body larger than \(limit) bytes"
        case .badContentEncoding(let detail): return "bad content encoding: \(detail)"
        case .transport(let code, let message): return "libcurl error \(code): \(message)"
        case .shutDown: return "fetcher shut down"
        case .invalidConfiguration(let detail): return "invalid fetch configuration: \(detail)"
        }
    }
}

/// Short, escaped excerpts of remote-controlled text for error messages and logs: a server's
/// header or URL never reaches a terminal or log line raw or long.
enum LogExcerpt {
    static func escaped(_ text: String, limit: Int = 120) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit { result += "…"; break }
            count += 1
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value):
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return "\"" + result + "\""
    }
}
