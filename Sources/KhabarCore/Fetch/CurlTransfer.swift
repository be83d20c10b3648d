internal import CCurl
#if canImport(Glibc)
internal import Glibc
#endif

/// What the fetcher asks the curl thread to do for one hop: a GET with these settings.
struct TransferRequest: Sendable {
    var url: String
    /// Extra request header lines ("If-None-Match: …"), already checked for CR/LF.
    var headerLines: [String]
    var userAgent: String
    var connectTimeoutMilliseconds: Int
    var totalTimeoutMilliseconds: Int
    var lowSpeedBytesPerSecond: Int
    var lowSpeedSeconds: Int
    var maxBodyBytes: Int
    var maxDecompressedBytes: Int
    var addressGuard: AddressGuard
}

/// One hop's response as received (not interpreted: redirects and statuses are the caller's).
struct TransferResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Where a 3xx points, made absolute by libcurl (CURLINFO_REDIRECT_URL).
    var redirectURL: String?
    /// The address the response came from.
    var remoteAddress: String?
}

/// State of one transfer on the curl thread. Its address is the `userdata` of the C callbacks,
/// which run inside `curl_multi_perform` on that same thread.
/// `@unchecked Sendable`: created, mutated and dropped only on the curl thread; it is Sendable
/// only so the driver (which is shared) can hold it.
final class CurlTransfer: @unchecked Sendable {
    let ticket: TransferTicket
    let request: TransferRequest
    let easy: EasyHandle
    var headerList: UnsafeMutablePointer<curl_slist>?
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var headerBytes = 0
    /// Set by a callback that aborted the transfer; wins over libcurl's own error code.
    var abortReason: FetchError?
    /// The internal address the SSRF guard refused, if it refused one.
    var refusedAddress: String?
    /// How the body is decoded, decided at its first bytes from the status and Content-Encoding.
    var coding: BodyCoding?
    /// Body bytes received on the wire (before decoding).
    var wireBodyBytes = 0

    /// Content decoding is done here rather than by libcurl, which (7.88) accepts a gzip
    /// stream that ends early (a truncated body) as a complete page.
    enum BodyCoding {
        case identity
        case inflating(Inflater)
    }

    init(ticket: TransferTicket, request: TransferRequest, easy: EasyHandle) {
        self.ticket = ticket
        self.request = request
        self.easy = easy
    }

    /// Sets every option of the hop on `easy`. Returns false when libcurl refused one.
    func configure() -> Bool {
        let handle = easy.handle
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        var ok = true
        func check(_ code: CURLcode) { if code != CURLE_OK { ok = false } }
        check(khabar_curl_easy_setopt_string(handle, CURLOPT_URL, request.url))
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check(khabar_curl_easy_setopt_string(handle, CURLOPT_USERAGENT, request.userAgent))
        check(khabar_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(khabar_curl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        // Redirects are followed by CurlFetcher so that each hop passes robots and the SSRF guard.
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        // gzip and deflate are asked for and decoded by `decodeBody`, which can tell a
        // truncated stream from a complete one; libcurl passes the encoded bytes through.
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_HTTP_CONTENT_DECODING, 0))
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)))
        // Wait for a connection that can multiplex rather than open a second one (HTTP/2).
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_PIPEWAIT, 1))
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds))
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.totalTimeoutMilliseconds))
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, request.lowSpeedBytesPerSecond))
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, request.lowSpeedSeconds)))
        // Refuses a declared Content-Length above the limit before reading the body.
        check(khabar_curl_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes)))
        check(khabar_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, easy.errorBuffer))
        check(khabar_curl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlWriteBody))
        check(khabar_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata))
        check(khabar_curl_easy_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        check(khabar_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata))
        check(khabar_curl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        check(khabar_curl_easy_setopt_xferinfo_function(handle, curlTransferProgress))
        check(khabar_curl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, userdata))
        check(khabar_curl_easy_setopt_opensocket_function(handle, curlOpenGuardedSocket))
        check(khabar_curl_easy_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, userdata))
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for line in ["Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.5", "Accept-Encoding: gzip, deflate"] + request.headerLines {
            list = curl_slist_append(list, line)
        }
        headerList = list
        check(khabar_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        return ok
    }

    /// The result once libcurl reports the transfer done with `code`.
    func result(code: CURLcode) -> Result<TransferResponse, FetchError> {
        if let abortReason { return .failure(abortReason) }
        guard code == CURLE_OK else {
            // Only when nothing connected: one refused address of several is no failure.
            if let refusedAddress {
                return .failure(.addressRefused(host: hostOfRequest, address: refusedAddress))
            }
            return .failure(error(for: code))
        }
        var status = 0
        _ = khabar_curl_easy_getinfo_long(easy.handle, CURLINFO_RESPONSE_CODE, &status)
        if case .inflating(let inflater)? = coding, !inflater.atMemberBoundary || inflater.membersCompleted == 0 {
            // The connection ended cleanly, but the compressed stream did not: a cut body.
            return .failure(.connectionFailed("\(wireBodyBytes)-byte compressed body ends inside its gzip/deflate stream (truncated)"))
        }
        var redirect: UnsafeMutablePointer<CChar>? = nil
        _ = khabar_curl_easy_getinfo_string(easy.handle, CURLINFO_REDIRECT_URL, &redirect)
        var ip: UnsafeMutablePointer<CChar>? = nil
        _ = khabar_curl_easy_getinfo_string(easy.handle, CURLINFO_PRIMARY_IP, &ip)
        return .success(TransferResponse(
            status: status, headers: headers, body: body,
            redirectURL: redirect.map { String(cString: $0) },
            remoteAddress: ip.map { String(cString: $0) }))
    }

    /// Decodes body bytes as they arrive; false (with `abortReason` set) aborts the transfer.
    func decodeBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        wireBodyBytes += bytes.count
        if coding == nil { coding = chooseCoding(firstBytes: bytes) }
        switch coding {
        case .inflating(let inflater)?:
            do {
                try inflater.inflate(bytes, into: &body, limit: request.maxDecompressedBytes)
                return true
            } catch .limitExceeded {
                abortReason = .decompressedBodyTooLarge(limit: request.maxDecompressedBytes)
            } catch .corrupt(let message) {
                abortReason = .badContentEncoding("corrupt compressed body: \(message)")
            } catch {
                abortReason = .badContentEncoding("cannot decompress the body")
            }
            return false
        default:
            if body.count + bytes.count > request.maxDecompressedBytes {
                abortReason = .decompressedBodyTooLarge(limit: request.maxDecompressedBytes)
                return false
            }
            body.append(contentsOf: bytes)
            return true
        }
    }

    /// Bodies of 2xx responses are decoded as their Content-Encoding says; others (error
    /// pages, redirects) are kept as received, since nobody reads them.
    private func chooseCoding(firstBytes: UnsafeRawBufferPointer) -> BodyCoding? {
        var status = 0
        _ = khabar_curl_easy_getinfo_long(easy.handle, CURLINFO_RESPONSE_CODE, &status)
        guard (200...299).contains(status) else { return .identity }
        let encodings = headers.filter { $0.name == "content-encoding" }
            .flatMap { $0.value.lowercased().split(separator: ",") }
            .map { String($0).trimmingASCIIWhitespace() }
            .filter { !$0.isEmpty && $0 != "identity" }
        guard !encodings.isEmpty else { return .identity }
        guard encodings.count == 1 else {
            abortReason = .badContentEncoding("unsupported Content-Encoding \(LogExcerpt.escaped(encodings.joined(separator: ", ")))")
            return nil
        }
        let format: Inflater.Format
        switch encodings[0] {
        case "gzip", "x-gzip":
            format = .gzipOrZlib
        case "deflate":
            // RFC 9110 says zlib-wrapped; some servers send raw deflate. A zlib header is a
            // multiple of 31 with method 8.
            let bytes = Array(firstBytes.prefix(2))
            let isZlib = bytes.count < 2 || (bytes[0] & 0x0F == 8 && (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0)
            format = isZlib ? .gzipOrZlib : .rawDeflate
        default:
            abortReason = .badContentEncoding("unsupported Content-Encoding \(LogExcerpt.escaped(encodings[0]))")
            return nil
        }
        do {
            return .inflating(try Inflater(format: format))
        } catch {
            abortReason = .badContentEncoding("zlib unavailable")
            return nil
        }
    }

    private var hostOfRequest: String {
        (try? ParsedURL(request.url).host) ?? request.url
    }

    private func error(for code: CURLcode) -> FetchError {
        let detail = easy.errorBuffer.pointee != 0 ? String(cString: easy.errorBuffer) : String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(detail)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR,
             CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY:
            return .connectionFailed(detail)
        case CURLE_FILESIZE_EXCEEDED:
            return .bodyTooLarge(limit: request.maxBodyBytes)
        default:
            return .transport(code: Int(code.rawValue), message: detail)
        }
    }

    /// Frees what this transfer allocated (the easy handle goes back to the driver's pool).
    func releaseResources() {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }
}

/// An easy handle and its error buffer, reused across transfers (`curl_easy_reset` between).
/// `@unchecked Sendable`: only the curl thread touches it.
final class EasyHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    func reset() {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }
}

// MARK: - C callbacks (run on the curl thread, inside curl_multi_perform)

private let maxResponseHeaders = 256

/// Decodes and appends body bytes; returning less than given aborts with CURLE_WRITE_ERROR,
/// so a compression bomb stops at the limit instead of being inflated.
private let curlWriteBody: curl_write_callback = { data, size, count, userdata in
    guard let data, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard length > 0 else { return 0 }
    return transfer.decodeBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// Collects "Name: value" header lines; a new status line (after 1xx, or a proxy's CONNECT
/// answer) starts the list over.
private let curlWriteHeader: curl_write_callback = { data, size, count, userdata in
    guard let data, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { UnsafeBufferPointer(start: $0, count: length) }
    if line.starts(with: "HTTP/".utf8) {
        transfer.headers.removeAll(keepingCapacity: true)
        return length
    }
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")), transfer.headers.count < maxResponseHeaders else { return length }
    // ASCII lower-casing on bytes; header names are tokens, anything else is kept as is.
    let name = String(unsafeUninitializedCapacity: colon) { buffer in
        for index in 0..<colon {
            let byte = line[index]
            buffer[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
        }
        return colon
    }
    // Trim spaces and the CR LF that ends the line (folded lines are not merged).
    var start = colon + 1
    var end = length
    while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
    while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 || line[end - 1] == 0x0D || line[end - 1] == 0x0A { end -= 1 }
    let value = String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    transfer.headers.append((name, value))
    return length
}

/// Counts body bytes on the wire (before decompression) against `maxBodyBytes`.
private let curlTransferProgress: curl_xferinfo_callback = { userdata, _, downloaded, _, _ in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    if downloaded > curl_off_t(transfer.request.maxBodyBytes) {
        transfer.abortReason = .bodyTooLarge(limit: transfer.request.maxBodyBytes)
        return 1
    }
    return 0
}

/// The SSRF guard: libcurl has resolved the name and is about to connect; refuse internal
/// addresses here, so no packet ever reaches them (and a DNS answer cannot change between
/// our check and libcurl's connect). Each address of a multi-homed name passes through here.
private let curlOpenGuardedSocket: curl_opensocket_callback = { userdata, purpose, address in
    guard let userdata, let address else { return CURL_SOCKET_BAD }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    var bytes = [UInt8](repeating: 0, count: 16)
    let family = khabar_curl_sockaddr_ip(address, &bytes)
    guard family != 0 else { return CURL_SOCKET_BAD }
    let ip = Array(bytes.prefix(family == AF_INET ? 4 : 16))
    guard transfer.request.addressGuard.permits(ip) else {
        transfer.refusedAddress = IPAddressText.format(ip)
        return CURL_SOCKET_BAD
    }
    return socket(address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
}
