internal import Crypto
internal import CZlib
internal import Foundation
internal import Glibc

/// Why the exporter failed. I/O errors keep the `errno` so "disk full" can be told apart.
public enum ExportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A system call on `path` failed.
    case io(operation: String, path: String, errno: Int32)
    /// zlib refused to compress (a bug or memory exhaustion, not bad input).
    case compression(status: Int32)
    /// The ledger could not read or commit.
    case ledger(String)
    /// An earlier error stopped the exporter; nothing more is written until a restart.
    case stopped(after: String)
    /// A fault injected by a test (`JSONLExporter.FaultInjection`): the exporter behaves as if
    /// the process died at that step.
    case simulatedCrash(String)

    /// An error of the output directory (write, fsync, create, rename): the exporter blocks
    /// and redoes the step on a later call, so waiting and calling again can succeed.
    public var isRetryable: Bool {
        if case .io = self { return true }
        return false
    }

    public var isNoSpaceLeft: Bool {
        if case .io(_, _, let code) = self { return code == ENOSPC || code == EDQUOT }
        return false
    }

    public var description: String {
        switch self {
        case .io(let operation, let path, let code):
            let reason = String(cString: strerror(code))
            return code == ENOSPC || code == EDQUOT
                ? "no space left on device: \(operation) \(path) failed (\(reason))"
                : "\(operation) \(path) failed: \(reason) (errno \(code))"
        case .compression(let status): return "gzip: zlib returned \(status)"
        case .ledger(let message): return "export ledger: \(message)"
        case .stopped(let cause):
            return "exporter stopped after an earlier error (\(cause)); finished files are intact, "
                + "records of the unfinished file were not acknowledged and will be re-sent after a restart"
        case .simulatedCrash(let step): return "simulated crash \(step)"
        }
    }
}

/// File-system steps of the exporter, each reporting its `errno`.
enum ExportFiles {
    static func fsyncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ExportError.io(operation: "open directory", path: path, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ExportError.io(operation: "fsync directory", path: path, errno: errno) }
    }

    static func rename(_ from: String, to destination: String) throws {
        guard Glibc.rename(from, destination) == 0 else {
            throw ExportError.io(operation: "rename to \(destination)", path: from, errno: errno)
        }
    }

    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw ExportError.io(operation: "unlink", path: path, errno: errno) }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ExportError.io(operation: "write", path: path, errno: errno)
                }
                offset += written
            }
        }
    }

    /// Replaces `path` with `bytes` so a reader sees the old or the new content, never a mix,
    /// and the new content survives a power cut: temp file, fsync, rename, fsync directory.
    static func replaceAtomically(_ path: String, with bytes: [UInt8], directory: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ExportError.io(operation: "create", path: temporary, errno: errno) }
        do {
            try writeAll(descriptor, bytes, path: temporary)
            guard fsync(descriptor) == 0 else { throw ExportError.io(operation: "fsync", path: temporary, errno: errno) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        try rename(temporary, to: path)
        try fsyncDirectory(directory)
    }

    /// `20260101T120000Z`: sortable, and free of `:` (not allowed in some file systems' names).
    static func compactUTC(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}

/// The open `.part` file: appends lines (gzipping them when asked), counts and hashes the bytes
/// that reach the disk, and on `finishAndSync` flushes, fsyncs and closes it.
///
/// Bytes are buffered up to `flushThreshold`: nothing in a `.part` is acknowledged, so losing
/// the buffer in a crash loses nothing that was promised.
final class PartFileWriter {
    let path: String
    private var descriptor: Int32
    private let deflater: GzipDeflater?
    private var hasher = SHA256()
    private var buffer: [UInt8] = []
    /// JSONL bytes appended (before compression): what size rotation counts.
    private(set) var lineBytes = 0
    /// Bytes written to the file so far.
    private(set) var diskBytes = 0
    private static let flushThreshold = 64 * 1024
    /// Test hook: writes past `afterBytes` fail with `errno` (after writing up to the limit, so
    /// the file ends in a torn line, as on a full disk).
    private let injectedWriteFailure: (afterBytes: Int, errno: Int32)?

    init(path: String, gzipLevel: Int32?, injectedWriteFailure: (afterBytes: Int, errno: Int32)? = nil) throws {
        self.path = path
        self.injectedWriteFailure = injectedWriteFailure
        deflater = try gzipLevel.map(GzipDeflater.init(level:))
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ExportError.io(operation: "create", path: path, errno: errno) }
        buffer.reserveCapacity(Self.flushThreshold * 2)
    }

    deinit { closeDescriptor() }

    func append(_ line: [UInt8]) throws {
        lineBytes += line.count
        if let deflater { try deflater.compress(line, finish: false, into: &buffer) } else { buffer.append(contentsOf: line) }
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Ends the stream (gzip trailer), writes everything, fsyncs and closes the file.
    /// Returns the file's size and lowercase hex SHA-256.
    func finishAndSync() throws -> (byteCount: Int, sha256: String) {
        if let deflater { try deflater.compress([], finish: true, into: &buffer) }
        try flush()
        guard fsync(descriptor) == 0 else { throw ExportError.io(operation: "fsync", path: path, errno: errno) }
        closeDescriptor()
        let digest = hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        return (diskBytes, digest)
    }

    func closeDescriptor() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// Writes the buffered bytes now (the exporter checks a rewritten part reaches the disk).
    func flushBuffer() throws { try flush() }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        if let failure = injectedWriteFailure, diskBytes + buffer.count > failure.afterBytes {
            let allowed = max(0, failure.afterBytes - diskBytes)
            try ExportFiles.writeAll(descriptor, Array(buffer[..<allowed]), path: path)
            diskBytes += allowed
            throw ExportError.io(operation: "write", path: path, errno: failure.errno)
        }
        try ExportFiles.writeAll(descriptor, buffer, path: path)
        hasher.update(data: buffer)
        diskBytes += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A zlib deflate stream producing gzip (window bits 15 + 16). The `z_stream` lives on the heap:
/// zlib keeps a pointer back to it and rejects a stream that has moved.
final class GzipDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var chunk = [UInt8](repeating: 0, count: 32 * 1024)

    init(level: Int32) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = khabar_deflate_init2(stream, level, 15 + 16)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ExportError.compression(status: status)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` and appends what zlib emits to `output`; `finish` ends the stream.
    func compress(_ input: [UInt8], finish: Bool, into output: inout [UInt8]) throws {
        let flush = finish ? Z_FINISH : Z_NO_FLUSH
        try input.withUnsafeBufferPointer { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.pointee.avail_in = UInt32(source.count)
            defer { stream.pointee.next_in = nil }
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { target in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(target.count)
                    let status = deflate(stream, flush)
                    stream.pointee.next_out = nil
                    return (status, target.count - Int(stream.pointee.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END { return }
                guard status == Z_OK || status == Z_BUF_ERROR else { throw ExportError.compression(status: status) }
                // Without `finish`, a partly filled chunk means all input was consumed.
                if !finish && produced < chunk.count { return }
            }
        }
    }
}
