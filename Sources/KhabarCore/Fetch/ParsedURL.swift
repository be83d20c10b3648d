internal import CCurl

/// An http(s) URL taken apart by libcurl's own parser, so that what we check (scheme, host,
/// path for robots.txt) is exactly what libcurl will connect to.
struct ParsedURL: Sendable, Equatable {
    /// "http" or "https".
    let scheme: String
    /// Lower-cased; IPv6 literals keep their brackets ("[::1]").
    let host: String
    let port: Int
    /// Path and query, starting with "/", as sent in the request line.
    let pathAndQuery: String
    /// The URL without fragment and user info: the key for validators and loop detection.
    let canonical: String
    let hasUserInfo: Bool
    /// The host as an IP address, when it is a literal one.
    let literalAddress: [UInt8]?

    /// "host:port", the unit of politeness.
    var hostKey: String { "\(host):\(port)" }
    /// scheme://host:port, the unit robots.txt applies to.
    var origin: String { "\(scheme)://\(host):\(port)" }
    var robotsURL: String { "\(scheme)://\(host):\(port)/robots.txt" }

    init(_ text: String) throws(FetchError) {
        guard let handle = curl_url() else { throw .invalidURL(text) }
        defer { curl_url_cleanup(handle) }
        // No scheme guessing: "example.com/x" is not a URL we were given.
        guard curl_url_set(handle, CURLUPART_URL, text, UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK else {
            throw .invalidURL(text)
        }
        func part(_ which: CURLUPart, _ flags: Int32 = 0) -> String? {
            var value: UnsafeMutablePointer<CChar>? = nil
            guard curl_url_get(handle, which, &value, UInt32(flags)) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        let scheme = (part(CURLUPART_SCHEME) ?? "").lowercased()
        guard scheme == "http" || scheme == "https" else { throw .unsupportedScheme(scheme) }
        guard let host = part(CURLUPART_HOST)?.lowercased(), !host.isEmpty else { throw .invalidURL(text) }
        guard let portText = part(CURLUPART_PORT, CURLU_DEFAULT_PORT), let port = Int(portText) else { throw .invalidURL(text) }
        let path = part(CURLUPART_PATH) ?? "/"
        let query = part(CURLUPART_QUERY)
        self.hasUserInfo = part(CURLUPART_USER) != nil
        _ = curl_url_set(handle, CURLUPART_FRAGMENT, nil, 0)
        _ = curl_url_set(handle, CURLUPART_USER, nil, 0)
        _ = curl_url_set(handle, CURLUPART_PASSWORD, nil, 0)
        _ = curl_url_set(handle, CURLUPART_SCHEME, scheme, 0)
        _ = curl_url_set(handle, CURLUPART_HOST, host, 0)
        guard let canonical = part(CURLUPART_URL) else { throw .invalidURL(text) }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.pathAndQuery = (path.isEmpty ? "/" : path) + (query.map { "?" + $0 } ?? "")
        self.canonical = canonical
        self.literalAddress = IPAddressText.parse(host)
    }


}

/// The key under which validators are stored for a URL (see `FetchValidatorStore`).
public enum CanonicalURL {
    /// `url` without fragment and user info, scheme and host lower-cased; nil when it is not
    /// an http(s) URL.
    public static func key(for url: String) -> String? {
        try? ParsedURL(url).canonical
    }
}
