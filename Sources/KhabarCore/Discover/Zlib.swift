internal import CZlib

/// zlib's functions, bound once: the inflater and `Gzip` call through these.
struct ZlibFunctions: @unchecked Sendable {
    typealias InflateInit2 = @convention(c) (z_streamp?, Int32, UnsafePointer<CChar>?, Int32) -> Int32
    typealias Inflate = @convention(c) (z_streamp?, Int32) -> Int32
    typealias InflateEnd = @convention(c) (z_streamp?) -> Int32
    typealias DeflateInit2 = @convention(c) (z_streamp?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<CChar>?, Int32) -> Int32

    let inflateInit2: InflateInit2
    let inflate: Inflate
    let inflateEnd: InflateEnd
    let inflateReset: InflateEnd
    let deflateInit2: DeflateInit2
    let deflate: Inflate
    let deflateEnd: InflateEnd

    /// Always available: the package links zlib (the `CZlib` target).
    static let shared: ZlibFunctions? = ZlibFunctions(
        inflateInit2: { inflateInit2_($0, $1, $2, $3) },
        inflate: { CZlib.inflate($0, $1) },
        inflateEnd: { CZlib.inflateEnd($0) },
        inflateReset: { CZlib.inflateReset($0) },
        deflateInit2: { deflateInit2_($0, $1, $2, $3, $4, $5, $6, $7) },
        deflate: { CZlib.deflate($0, $1) },
        deflateEnd: { CZlib.deflateEnd($0) })
}

/// An incremental zlib inflater for gzip (one or more members), zlib or raw deflate data.
///
/// Output is bounded by a caller-given limit, checked while inflating, so a small input that
/// inflates to gigabytes costs at most `limit` bytes of memory.
final class Inflater {
    enum Format {
        /// gzip or zlib, detected from the header.
        case gzipOrZlib
        /// Raw deflate, as some servers send for `Content-Encoding: deflate`.
        case rawDeflate
    }

    enum Failure: Error, Equatable {
        case zlibUnavailable
        case corrupt(String)
        case limitExceeded
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let zlib: ZlibFunctions
    /// True between the end of one gzip member and the first byte of the next.
    private(set) var atMemberBoundary = true
    private(set) var totalOutput = 0
    /// Streams (gzip members) read to their end, trailer checked.
    private(set) var membersCompleted = 0

    init(format: Format = .gzipOrZlib) throws(Failure) {
        guard let zlib = ZlibFunctions.shared else { throw .zlibUnavailable }
        self.zlib = zlib
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 = a 32 KiB window; +32 detects gzip or zlib headers; negative means raw deflate.
        let windowBits: Int32 = format == .gzipOrZlib ? 15 + 32 : -15
        let status = zlib.inflateInit2(stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw .corrupt("inflateInit2 failed (\(status))")
        }
    }

    deinit {
        _ = zlib.inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates `input` and appends the output to `output`, continuing into every following
    /// gzip member. Returns how many input bytes were used: fewer than `input.count` when this
    /// call's output reached `outputBudget` (call again with the rest), or when the bytes after
    /// a member are not another member (trailing padding, ignored).
    /// - Throws: `.limitExceeded` once the total output passes `limit`; `.corrupt` on bad data.
    @discardableResult
    func inflate(
        _ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int, outputBudget: Int = .max
    ) throws(Failure) -> Int {
        guard let base = input.baseAddress, input.count > 0 else { return 0 }
        var consumed = 0
        var producedHere = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while consumed < input.count && producedHere < outputBudget {
            let remaining = input.count - consumed
            let (status, produced, used) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int, Int) in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: base.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(min(remaining, Int(UInt32.max)))
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(out.count)
                let status = zlib.inflate(stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.pointee.avail_out), min(remaining, Int(UInt32.max)) - Int(stream.pointee.avail_in))
            }
            consumed += used
            // Inside a member once any of it is read, even before it yields output.
            if used > 0 { atMemberBoundary = false }
            if produced > 0 {
                atMemberBoundary = false
                totalOutput += produced
                producedHere += produced
                guard totalOutput <= limit else { throw .limitExceeded }
                output.append(contentsOf: chunk[0..<produced])
            }
            switch status {
            case Z_OK:
                if used == 0 && produced == 0 { return consumed }
            case Z_BUF_ERROR:
                // No progress possible: the input ends inside a member.
                return consumed
            case Z_STREAM_END:
                atMemberBoundary = true
                membersCompleted += 1
                _ = zlib.inflateReset(stream)
                // Padding or junk after the last member is not another member: stop there.
                if consumed < input.count, input[consumed] != 0x1F { return consumed }
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw .corrupt(message)
            }
        }
        return consumed
    }
}

/// Whole-buffer gzip helpers.
enum Gzip {
    static func hasMagic(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        return iterator.next() == 0x1F && iterator.next() == 0x8B
    }

    /// Inflates gzip (every member), zlib or — when `allowRawDeflate` — raw deflate data.
    static func decompress(_ bytes: [UInt8], limit: Int, allowRawDeflate: Bool = false) throws(Inflater.Failure) -> [UInt8] {
        do {
            return try decompress(bytes, format: .gzipOrZlib, limit: limit)
        } catch .corrupt(let message) where allowRawDeflate {
            do {
                return try decompress(bytes, format: .rawDeflate, limit: limit)
            } catch .corrupt {
                throw .corrupt(message)
            }
        }
    }

    private static func decompress(_ bytes: [UInt8], format: Inflater.Format, limit: Int) throws(Inflater.Failure) -> [UInt8] {
        let inflater = try Inflater(format: format)
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, bytes.count * 4))
        let outcome = bytes.withUnsafeBytes { buffer in
            Result { () throws(Inflater.Failure) in try inflater.inflate(buffer, into: &output, limit: limit) }
        }
        _ = try outcome.get()
        guard inflater.atMemberBoundary else { throw .corrupt("compressed data ends early") }
        return output
    }

    /// One gzip member holding `bytes` (for tests and fixtures; khabar only ever reads gzip).
    static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        guard let zlib = ZlibFunctions.shared else { return nil }
        var stream = z_stream()
        // 15 + 16: a 32 KiB window with a gzip header; 8: default memory level.
        guard zlib.deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { _ = zlib.deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: bytes.count + bytes.count / 1000 + 64)
        var input = bytes
        let status = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer -> Int32 in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return zlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        return Array(output[0..<Int(stream.total_out)])
    }
}
