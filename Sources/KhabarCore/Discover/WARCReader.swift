internal import Foundation

/// One HTTP header line, as received.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A `response` record of a WARC file: an archived HTTP response.
public struct WARCResponse: Sendable, Equatable {
    /// `WARC-Target-URI`.
    public var targetURI: String
    /// `WARC-Date`, as written.
    public var date: String?
    public var recordID: String?
    /// The HTTP status code (100–999), or 0 when the record has no readable status line.
    public var httpStatus: Int
    public var httpHeaders: [HTTPHeader]
    /// The HTTP `Content-Type` and its `charset` parameter.
    public var contentType: String?
    public var charset: String?
    /// The payload with chunked transfer-encoding and gzip/deflate content-encoding undone.
    public var body: [UInt8]
    /// Why the body is left (partly) encoded, when it is: an unknown content-coding, broken
    /// chunking or corrupt compressed data.
    public var bodyDecodingIssue: String?
    /// `WARC-Truncated`: the crawler stored only part of the payload (length, time…).
    public var truncatedBecause: String?

    /// The first header named `name` (any case).
    public func header(_ name: String) -> String? {
        httpHeaders.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Streams the `response` records of a WARC or WARC.gz file (such as Common Crawl News),
/// record by record, without holding the file in memory.
///
/// The file is read in 1 MiB chunks; a gzip file (detected from its magic bytes) is inflated
/// incrementally, every member in turn, so one-record-per-member files and single-stream files
/// both work. `warcinfo`, `request`, `metadata`, `revisit`, `resource` and other records are
/// skipped without being buffered whole.
public final class WARCReader {
    public struct Limits: Sendable {
        /// A record block larger than this is skipped rather than read into memory.
        public var maxRecordBytes: Int
        /// Cap on a body after content-encoding is undone; past it the body stays encoded.
        public var maxDecodedBodyBytes: Int

        public init(maxRecordBytes: Int = 64 * 1024 * 1024, maxDecodedBodyBytes: Int = 64 * 1024 * 1024) {
            self.maxRecordBytes = maxRecordBytes
            self.maxDecodedBodyBytes = maxDecodedBodyBytes
        }
    }

    public let source: String
    public let limits: Limits
    /// Records of a type other than `response`, and oversized ones, passed over so far.
    public private(set) var skippedRecords = 0

    private var readRaw: () throws(DiscoveryError) -> [UInt8]
    private var inflater: Inflater?
    private var isGzipDetected = false
    private var pendingCompressed: [UInt8] = []
    private var pendingOffset = 0
    private var rawEnded = false
    /// Decoded WARC bytes; `position` is the next unread one, `bufferOffset` the stream offset of
    /// `buffer[0]`.
    private var buffer: [UInt8] = []
    private var position = 0
    private var bufferOffset = 0
    private var decodedEnded = false

    private static let chunkSize = 1 << 20
    private static let maxHeaderBytes = 256 * 1024

    /// Opens a `.warc` or `.warc.gz` file.
    public convenience init(path: String, limits: Limits = Limits()) throws(DiscoveryError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DiscoveryError(source: path, reason: .unreadableFile("cannot open"))
        }
        self.init(source: path, limits: limits) { () throws(DiscoveryError) -> [UInt8] in
            do {
                return [UInt8](try handle.read(upToCount: WARCReader.chunkSize) ?? Data())
            } catch {
                throw DiscoveryError(source: path, reason: .unreadableFile(String(describing: error)))
            }
        }
    }

    /// Reads WARC data already in memory (gzip-compressed or not).
    public convenience init(bytes: [UInt8], source: String, limits: Limits = Limits()) {
        var remaining: [UInt8]? = bytes
        self.init(source: source, limits: limits) { () throws(DiscoveryError) -> [UInt8] in
            defer { remaining = nil }
            return remaining ?? []
        }
    }

    private init(source: String, limits: Limits, readRaw: @escaping () throws(DiscoveryError) -> [UInt8]) {
        self.source = source
        self.limits = limits
        self.readRaw = readRaw
    }

    /// The next `response` record, or nil at the end of the file.
    /// - Throws: on a record cut off by the end of the file, an unreadable record header or
    ///   corrupt compressed data; the reader is not usable after that.
    public func next() throws(DiscoveryError) -> WARCResponse? {
        while true {
            guard try skipRecordSeparators() else { return nil }
            let recordStart = bufferOffset + position
            let (fields, blockLength) = try readRecordHeader(recordStart: recordStart)
            let type = field("WARC-Type", in: fields)?.lowercased()
            let contentType = field("Content-Type", in: fields)?.lowercased() ?? ""
            let isHTTPResponse = type == "response" && (contentType.hasPrefix("application/http") || contentType.isEmpty)
            guard isHTTPResponse, blockLength <= limits.maxRecordBytes else {
                try discard(blockLength, recordStart: recordStart)
                skippedRecords += 1
                continue
            }
            guard try ensureAvailable(blockLength) else {
                throw truncated(recordStart, "the file ends inside a \(blockLength)-byte record block")
            }
            let block = Array(buffer[position..<(position + blockLength)])
            position += blockLength
            // A response without a (non-empty) target URI cannot be attributed: passed over like
            // other unusable records; the next record is still read.
            guard let targetURI = field("WARC-Target-URI", in: fields),
                  !targetURI.trimmingCharacters(in: CharacterSet(charactersIn: "<> ")).isEmpty else {
                skippedRecords += 1
                continue
            }
            return parseHTTPResponse(block, targetURI: targetURI, fields: fields, recordStart: recordStart)
        }
    }

    // MARK: Records

    private func field(_ name: String, in fields: [HTTPHeader]) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    private func truncated(_ offset: Int, _ message: String) -> DiscoveryError {
        DiscoveryError(source: source, reason: .invalidWARCRecord(offset: offset, message: message))
    }

    /// Skips the CR/LF pairs between records. Returns false at the end of the stream.
    private func skipRecordSeparators() throws(DiscoveryError) -> Bool {
        while true {
            guard try ensureAvailable(1) else { return false }
            let byte = buffer[position]
            guard byte == 0x0D || byte == 0x0A else { return true }
            position += 1
        }
    }

    /// Parses `WARC/1.x` and the named fields up to the blank line; returns them and Content-Length.
    private func readRecordHeader(recordStart: Int) throws(DiscoveryError) -> ([HTTPHeader], Int) {
        var headerEnd = Self.blankLine(in: buffer, from: position)
        while headerEnd == nil {
            if buffer.count - position > Self.maxHeaderBytes {
                throw truncated(recordStart, "no end of record header within \(Self.maxHeaderBytes) bytes")
            }
            guard try ensureAvailable(buffer.count - position + 1) else {
                throw truncated(recordStart, "the file ends inside a record header")
            }
            headerEnd = Self.blankLine(in: buffer, from: position)
        }
        let lines = Self.headerLines(buffer[position..<headerEnd!.end])
        position = headerEnd!.next
        guard let versionLine = lines.first, versionLine.hasPrefix("WARC/") else {
            throw truncated(recordStart, "not a WARC record (starts with \(String((lines.first ?? "").prefix(40)).debugDescription))")
        }
        let fields = Self.parseFields(lines.dropFirst())
        guard let lengthText = field("Content-Length", in: fields), let length = Int(lengthText), length >= 0 else {
            throw truncated(recordStart, "missing or invalid Content-Length")
        }
        return (fields, length)
    }

    /// The first blank line at or after `start`: where the header ends and the block begins.
    /// Accepts bare LF line ends, which some tools write.
    static func blankLine(in bytes: [UInt8], from start: Int) -> (end: Int, next: Int)? {
        var index = start
        while index < bytes.count {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { return nil }
            let afterNewline = newline + 1
            if afterNewline < bytes.count, bytes[afterNewline] == 0x0A { return (newline, afterNewline + 1) }
            if afterNewline + 1 < bytes.count, bytes[afterNewline] == 0x0D, bytes[afterNewline + 1] == 0x0A {
                return (newline, afterNewline + 2)
            }
            index = afterNewline
        }
        return nil
    }

    static func headerLines(_ bytes: ArraySlice<UInt8>) -> [String] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map { line in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return String(decoding: trimmed, as: UTF8.self)
        }
    }

    /// `Name: value` lines; a line starting with whitespace continues the previous value.
    static func parseFields(_ lines: ArraySlice<String>) -> [HTTPHeader] {
        var fields: [HTTPHeader] = []
        for line in lines {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + DiscoveryInput.trimmingWhitespace(line)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append(HTTPHeader(
                name: DiscoveryInput.trimmingWhitespace(line[..<colon]),
                value: DiscoveryInput.trimmingWhitespace(line[line.index(after: colon)...])))
        }
        return fields
    }

    private func parseHTTPResponse(_ block: [UInt8], targetURI: String, fields: [HTTPHeader], recordStart: Int) -> WARCResponse {
        var response = WARCResponse(
            targetURI: targetURI.trimmingCharacters(in: CharacterSet(charactersIn: "<> ")),
            date: field("WARC-Date", in: fields), recordID: field("WARC-Record-ID", in: fields),
            httpStatus: 0, httpHeaders: [], body: [])
        response.truncatedBecause = field("WARC-Truncated", in: fields)
        guard let headerEnd = Self.blankLine(in: block, from: 0) else {
            response.body = block
            response.bodyDecodingIssue = "no end of HTTP header"
            return response
        }
        let lines = Self.headerLines(block[0..<headerEnd.end])
        if let statusLine = lines.first {
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            // A status code has three digits; anything else leaves 0 ("no readable status").
            if parts.count >= 2, parts[0].hasPrefix("HTTP/"), parts[1].utf8.count == 3,
               let status = Int(parts[1]), (100...999).contains(status) {
                response.httpStatus = status
            }
        }
        response.httpHeaders = Self.parseFields(lines.dropFirst())
        response.contentType = response.header("Content-Type")
        response.charset = response.contentType.flatMap { CharsetPrescanner.charsetParameter(inContentValue: $0) }
        var body = Array(block[headerEnd.next...])

        let transferEncoding = response.header("Transfer-Encoding")?.lowercased() ?? ""
        if transferEncoding.contains("chunked") {
            // Some archivers store the payload already de-chunked but keep the header.
            if let dechunked = Self.dechunk(body) { body = dechunked } else { response.bodyDecodingIssue = "broken chunked transfer-encoding; body kept as stored" }
        }
        let contentEncoding = response.header("Content-Encoding")?.lowercased().trimmingCharacters(in: .whitespaces) ?? ""
        switch contentEncoding {
        case "", "identity":
            break
        case "gzip", "x-gzip", "deflate":
            // Archivers sometimes store the decoded payload with the header left in place.
            let looksCompressed = contentEncoding == "deflate" || Gzip.hasMagic(body)
            if looksCompressed {
                do {
                    body = try Gzip.decompress(body, limit: limits.maxDecodedBodyBytes, allowRawDeflate: contentEncoding == "deflate")
                } catch {
                    response.bodyDecodingIssue = "\(contentEncoding) content-encoding could not be undone (\(error)); body kept as stored"
                }
            }
        default:
            response.bodyDecodingIssue = "unsupported content-encoding \(contentEncoding); body kept as stored"
        }
        response.body = body
        return response
    }

    /// The payload of a chunked body, or nil when the framing is broken.
    static func dechunk(_ body: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var index = 0
        while true {
            guard let lineEnd = body[index...].firstIndex(of: 0x0A) else { return nil }
            var sizeText = String(decoding: body[index..<lineEnd], as: UTF8.self)
            if let semicolon = sizeText.firstIndex(of: ";") { sizeText = String(sizeText[..<semicolon]) }
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16), size >= 0 else { return nil }
            index = lineEnd + 1
            if size == 0 { return output }
            guard size <= body.count - index else { return nil }
            output.append(contentsOf: body[index..<(index + size)])
            index += size
            // The CRLF after the chunk data.
            if index < body.count, body[index] == 0x0D { index += 1 }
            if index < body.count, body[index] == 0x0A { index += 1 }
            if index >= body.count { return output }
        }
    }

    // MARK: Byte stream

    /// Passes over `count` bytes, reading but not keeping them.
    private func discard(_ count: Int, recordStart: Int) throws(DiscoveryError) {
        var remaining = count
        while remaining > 0 {
            guard try ensureAvailable(1) else {
                throw truncated(recordStart, "the file ends inside a \(count)-byte record block")
            }
            let taken = min(remaining, buffer.count - position)
            position += taken
            remaining -= taken
        }
    }

    /// Makes at least `count` unread bytes available. Returns false when the stream ends first.
    private func ensureAvailable(_ count: Int) throws(DiscoveryError) -> Bool {
        while buffer.count - position < count {
            if decodedEnded { return false }
            try fill()
        }
        return true
    }

    private func fill() throws(DiscoveryError) {
        if position > 0 && (position >= buffer.count / 2 || position > 4 * Self.chunkSize) {
            buffer.removeSubrange(0..<position)
            bufferOffset += position
            position = 0
        }
        if pendingOffset >= pendingCompressed.count {
            guard !rawEnded else {
                decodedEnded = true
                return
            }
            let chunk = try readRaw()
            if chunk.isEmpty {
                rawEnded = true
                decodedEnded = true
                return
            }
            if !isGzipDetected && inflater == nil && bufferOffset == 0 && buffer.isEmpty {
                isGzipDetected = true
                if Gzip.hasMagic(chunk) {
                    do { inflater = try Inflater() } catch { throw compressed("zlib could not be loaded") }
                }
            }
            guard inflater != nil else {
                buffer.append(contentsOf: chunk)
                return
            }
            pendingCompressed = chunk
            pendingOffset = 0
        }
        guard let inflater else { return }
        let before = buffer.count
        let offset = pendingOffset
        let outcome = pendingCompressed.withUnsafeBytes { raw in
            Result { () throws(Inflater.Failure) in
                try inflater.inflate(
                    UnsafeRawBufferPointer(rebasing: raw[offset...]), into: &buffer, limit: .max, outputBudget: 4 * Self.chunkSize)
            }
        }
        let used: Int
        do {
            used = try outcome.get()
        } catch {
            throw compressed(String(describing: error))
        }
        pendingOffset += used
        if used == 0 && buffer.count == before && pendingOffset < pendingCompressed.count {
            // Bytes after the last gzip member that start no new member: padding, ignored.
            pendingOffset = pendingCompressed.count
            rawEnded = true
        }
    }

    private func compressed(_ message: String) -> DiscoveryError {
        DiscoveryError(source: source, reason: .corruptCompressedData(message))
    }
}
