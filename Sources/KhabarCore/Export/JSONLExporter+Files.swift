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
    /// The unfinished part could not be cut back to its last checkpoint after an output error
    /// (it was removed or replaced), and its lines before that checkpoint are no longer in
    /// memory: the exporter stops rather than finish a file missing them.
    case partLost(path: String, reason: String)
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
        case .partLost(let path, let reason):
            return "unfinished export file \(path) cannot be rewound to its last checkpoint (\(reason)); "
                + "its records were not acknowledged and will be re-sent after a restart"
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

    /// Calls `body` with each line (its `\n` included) of a part file, gunzipping it when
    /// `gzip`; reads in chunks, so memory does not grow with the file.
    static func forEachLine(ofPart path: String, gzip: Bool, _ body: ([UInt8]) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ExportError.io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        let inflater: Inflater?
        do { inflater = gzip ? try Inflater() : nil } catch { throw ExportError.partLost(path: path, reason: "\(error)") }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var pending: [UInt8] = []
        func emitLines() throws {
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try body(Array(pending[start...newline]))
                start = newline + 1
            }
            pending.removeSubrange(..<start)
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ExportError.io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            if let inflater {
                try chunk.withUnsafeBytes { raw in
                    var used = 0
                    let input = UnsafeRawBufferPointer(rebasing: raw[..<count])
                    while used < count {
                        let before = pending.count
                        let consumed: Int
                        do {
                            consumed = try inflater.inflate(
                                UnsafeRawBufferPointer(rebasing: input[used...]), into: &pending, limit: .max, outputBudget: 1 << 20)
                        } catch {
                            throw ExportError.partLost(path: path, reason: "\(error)")
                        }
                        guard consumed > 0 || pending.count > before else {
                            throw ExportError.partLost(path: path, reason: "gzip stream stalls")
                        }
                        used += consumed
                        try emitLines()
                    }
                }
            } else {
                pending.append(contentsOf: chunk[..<count])
                try emitLines()
            }
        }
        if inflater.map({ !$0.atMemberBoundary }) == true || !pending.isEmpty {
            throw ExportError.partLost(path: path, reason: "ends inside a line")
        }
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
///
/// `checkpoint()` makes everything appended so far durable and remembers the writer's state
/// there; after a write or fsync error `rewind()` cuts the file back to that point, so only
/// the lines appended since need to be written again (the caller keeps those, not the file).
final class PartFileWriter {
    /// A point the part can be cut back to: its bytes up to `diskBytes` were fsynced, and the
    /// hasher and deflater are as they were right after writing them.
    private struct Checkpoint {
        let diskBytes: Int
        let lineBytes: Int
        let hasher: SHA256
        /// Never used to compress: a rewind continues from a copy, so it can rewind again.
        let deflater: GzipDeflater?
    }

    /// Where a test makes the writer fail as a full or broken disk would.
    struct InjectedFailure {
        enum Call { case write, sync }
        let call: Call
        let errno: Int32
        /// Writes past this many bytes fail (after writing up to it, so the file ends in a
        /// torn line, as on a full disk); syncs fail once the file holds more.
        let afterBytes: Int
    }

    let path: String
    private var descriptor: Int32
    private var deflater: GzipDeflater?
    private var hasher = SHA256()
    private var buffer: [UInt8] = []
    private var checkpointState: Checkpoint
    /// JSONL bytes appended (before compression): what size rotation counts.
    private(set) var lineBytes = 0
    /// Bytes written to the file so far.
    private(set) var diskBytes = 0
    private static let flushThreshold = 64 * 1024
    /// Test hook; the exporter changes it when a test "frees the disk".
    var injectedFailure: InjectedFailure?

    init(path: String, gzipLevel: Int32?, injectedFailure: InjectedFailure? = nil) throws {
        self.path = path
        self.injectedFailure = injectedFailure
        let deflater = try gzipLevel.map(GzipDeflater.init(level:))
        self.deflater = deflater
        // The empty file is the first checkpoint (nothing to fsync in it).
        checkpointState = Checkpoint(diskBytes: 0, lineBytes: 0, hasher: SHA256(), deflater: try deflater.map(GzipDeflater.init(copying:)))
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ExportError.io(operation: "create", path: path, errno: errno) }
        buffer.reserveCapacity(Self.flushThreshold * 2)
    }

    deinit { closeDescriptor() }

    /// JSONL bytes up to the last checkpoint: 0 while a rewind would empty the file.
    var checkpointedLineBytes: Int { checkpointState.lineBytes }

    func append(_ line: [UInt8]) throws {
        lineBytes += line.count
        if let deflater { try deflater.compress(line, finish: false, into: &buffer) } else { buffer.append(contentsOf: line) }
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes the buffer, syncs the file's data and remembers this point for `rewind()`.
    /// The gzip stream is not flushed: what zlib still holds is in the deflater's copy.
    func checkpoint() throws {
        try flush()
        try sync(fdatasync)
        checkpointState = Checkpoint(
            diskBytes: diskBytes, lineBytes: lineBytes, hasher: hasher,
            deflater: try deflater.map(GzipDeflater.init(copying:)))
    }

    /// Cuts the file back to the last checkpoint and restores the state there, dropping the
    /// buffer: after a failed write the file may end in a torn line, and after a failed fsync
    /// the kernel may have dropped the pages past the checkpoint. Fails if the file is closed
    /// or no longer at `path` (removed or replaced), since then cutting it back saves nothing.
    func rewind() throws {
        guard descriptor >= 0 else { throw ExportError.io(operation: "rewind (file closed)", path: path, errno: EBADF) }
        var own = stat()
        var named = stat()
        guard fstat(descriptor, &own) == 0 else { throw ExportError.io(operation: "fstat", path: path, errno: errno) }
        guard stat(path, &named) == 0 else { throw ExportError.io(operation: "stat", path: path, errno: errno) }
        guard own.st_dev == named.st_dev && own.st_ino == named.st_ino else {
            throw ExportError.io(operation: "rewind (file replaced)", path: path, errno: ESTALE)
        }
        let length = off_t(checkpointState.diskBytes)
        guard ftruncate(descriptor, length) == 0 else { throw ExportError.io(operation: "ftruncate", path: path, errno: errno) }
        guard lseek(descriptor, length, SEEK_SET) == length else { throw ExportError.io(operation: "lseek", path: path, errno: errno) }
        deflater = try checkpointState.deflater.map(GzipDeflater.init(copying:))
        hasher = checkpointState.hasher
        diskBytes = checkpointState.diskBytes
        lineBytes = checkpointState.lineBytes
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends the stream (gzip trailer), writes everything, fsyncs and closes the file.
    /// Returns the file's size and lowercase hex SHA-256.
    func finishAndSync() throws -> (byteCount: Int, sha256: String) {
        if let deflater { try deflater.compress([], finish: true, into: &buffer) }
        try flush()
        try sync(fsync)
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

    private func sync(_ call: (Int32) -> Int32) throws {
        if let failure = injectedFailure, failure.call == .sync, diskBytes > failure.afterBytes {
            throw ExportError.io(operation: "fsync", path: path, errno: failure.errno)
        }
        guard call(descriptor) == 0 else { throw ExportError.io(operation: "fsync", path: path, errno: errno) }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        if let failure = injectedFailure, failure.call == .write, diskBytes + buffer.count > failure.afterBytes {
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

    /// An independent copy of `other`'s stream (zlib `deflateCopy`): compressing the same input
    /// with either gives the same bytes, CRC and size trailer.
    init(copying other: GzipDeflater) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateCopy(stream, other.stream)
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
