public import Foundation
public import Logging
internal import Glibc
internal import Metrics

/// Tells the stage that produced a record that it is safely exported and need not be re-sent.
public struct ExportAcknowledgement: Sendable {
    private let body: @Sendable () -> Void

    public init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    public func acknowledge() { body() }
}

/// Writes `ArticleRecord`s as JSONL files in one output directory, exactly once across crashes.
///
/// Records go to an open `<prefix>-<UTC time>-<seq>.jsonl.part` (`.jsonl.gz.part` when
/// compressing). The file is finished when it would grow past `maxFileBytes`, when it is older
/// than `maxFileAge` (checked on append and by `rotateIfDue()`), and by `finishOpenFile()` at
/// shutdown. Finishing, in this order:
///
/// 1. flush and fsync the part file;
/// 2. one ledger transaction: the file (name, count, size, SHA-256), each record marked
///    exported by canonical URL, and the pending state handed in with the records;
/// 3. rename `.part` → `.jsonl` / `.jsonl.gz` and fsync the directory;
/// 4. rewrite the manifest;
/// 5. acknowledge the file's records upstream.
///
/// Recovery at start (`init`): a `.part` whose name the ledger records as finished crashed
/// between 2 and 3, so it is renamed; any other `.part` is deleted, since its records were
/// never acknowledged and will be re-sent. The manifest is then rebuilt from the ledger.
///
/// A record whose canonical URL is exported already, or is in the open file, is dropped (a
/// redelivery); the first is acknowledged at once, the second with the open file.
///
/// A write, fsync, create or rename error in the output directory (a full disk above all)
/// blocks the exporter instead: the call throws that error (`isRetryable`), the unfinished
/// part is cut back to its last checkpoint (see below; deleted, freeing its space, if it has
/// none) while its records since stay in memory, and every later call first tries to redo
/// what failed (rewrite those records, finish the rename, rewrite the manifest); until that
/// succeeds it throws again and takes no record. So a caller that waits and retries
/// (`ExporterSink` does, with a backoff) holds the pipeline back while the disk is full and
/// resumes, losing nothing, when space returns. Finished files and the ledger are never
/// touched by a failure, and nothing is acknowledged before it is durably written.
///
/// Checkpoints bound the memory this takes: once the lines appended since the last one would
/// pass `checkpointBytes`, the part is flushed and fdatasync'ed, which makes those lines
/// durable (a later failed fsync cannot lose them), and they are dropped from memory. A part
/// that cannot be cut back (someone removed it) stops the exporter, as its lines before the
/// checkpoint are no longer in memory.
///
/// A commit the ledger refuses because some of the file's articles were exported meanwhile
/// (another process sharing a PostgreSQL state took the same article under another URL at the
/// same moment) does not stop it: those lines are rewritten out of the part, which is then
/// committed without them (`commit(_:of:partPath:)`); they are counted
/// (`khabar_export_refused_records_total`) and acknowledged, being in the other's files. An
/// error while rewriting the part stops the exporter, as a failed commit did before.
///
/// Any other error (the ledger cannot commit, zlib fails) stops the exporter: every later call
/// throws `ExportError.stopped`, finished files stay as they are, and records of the
/// unfinished file stay unacknowledged. A finished file is never rewritten, appended to or
/// deleted.
///
/// The actor never suspends inside a method, so a finish cannot interleave with an append.
/// File and SQLite calls block the calling thread while they run.
public actor JSONLExporter {
    public struct Configuration: Sendable {
        public enum Compression: Sendable, Equatable {
            case none
            /// gzip at zlib `level` (1 fastest … 9 smallest).
            case gzip(level: Int32)
        }

        public var directory: URL
        public var filePrefix: String
        /// Uncompressed JSONL bytes after which a file is finished. A single larger record
        /// still gets a file of its own.
        public var maxFileBytes: Int
        /// Age after which the open file is finished even if small, so records land promptly.
        public var maxFileAge: Duration
        public var compression: Compression
        public var manifestFileName: String
        /// Uncompressed JSONL bytes of the open file held in memory (to rewrite them after an
        /// output error) before a checkpoint fsyncs the part and drops them. Bounds the
        /// exporter's memory independently of `maxFileBytes`; a smaller value fsyncs more often.
        public var checkpointBytes: Int

        public init(
            directory: URL, filePrefix: String = "articles", maxFileBytes: Int = 64 * 1024 * 1024,
            maxFileAge: Duration = .seconds(300), compression: Compression = .none,
            manifestFileName: String = ExportManifest.defaultFileName, checkpointBytes: Int = 4 * 1024 * 1024
        ) {
            self.directory = directory
            self.filePrefix = filePrefix
            self.maxFileBytes = maxFileBytes
            self.maxFileAge = maxFileAge
            self.compression = compression
            self.manifestFileName = manifestFileName
            self.checkpointBytes = checkpointBytes
        }

        var finishedSuffix: String { compression == .none ? ".jsonl" : ".jsonl.gz" }
    }

    /// What recovery did at start.
    public struct RecoveryReport: Sendable, Equatable {
        /// Finished files whose rename the crash interrupted, now renamed.
        public var completedRenames: [String] = []
        /// Unfinished `.part` files deleted; their records will be re-sent.
        public var discardedParts: [String] = []
        /// Files the ledger lists as finished but that are not in the directory (removed by
        /// someone else): their records stay marked exported.
        public var missingFiles: [String] = []

        public init(completedRenames: [String] = [], discardedParts: [String] = [], missingFiles: [String] = []) {
            self.completedRenames = completedRenames
            self.discardedParts = discardedParts
            self.missingFiles = missingFiles
        }
    }

    public enum AppendOutcome: Sendable, Equatable {
        case appended
        /// The canonical URL was exported before; acknowledged at once.
        case droppedAlreadyExported
        /// The canonical URL is in the open file already; acknowledged with that file.
        case droppedDuplicateOfOpenFile
    }

    /// Steps at which a test can make the exporter behave as if the process died.
    package enum FaultInjection: Sendable, Equatable {
        case none
        case crashAfterPartSync
        case crashAfterLedgerCommit
        case crashAfterRename
        /// Writes to a part file fail with `errno` once it holds `afterBytes` bytes.
        case failWrites(errno: Int32, afterBytes: Int)
        /// fsync and fdatasync of a part file fail with `errno` once it holds more than
        /// `afterBytes` bytes.
        case failSyncs(errno: Int32, afterBytes: Int)
    }

    private struct OpenFile {
        /// nil after an output error deleted a part that had no checkpoint.
        var writer: PartFileWriter?
        /// Set when an output error cut the part back to its last checkpoint (or deleted it):
        /// `heldLines` are to be written again before anything else.
        var needsRewrite = false
        let finalName: String
        let sequence: Int
        let openedAt: Date
        var records: [ExportedRecordKey] = []
        /// Each record's `fetched_at`, parallel to `records`: the file's range is recomputed
        /// when refused records are dropped from it.
        var fetchedAts: [String] = []
        /// The lines appended since the part's last checkpoint, in order: what a write or
        /// fsync error can lose (at most about `checkpointBytes`).
        var heldLines: [[UInt8]] = []
        var heldLineBytes = 0
        /// All JSONL bytes of the file, for rotation.
        var lineBytes = 0
        var canonicalURLs: Set<String> = []
        var pending = PendingState()
        var acknowledgements: [ExportAcknowledgement] = []
        var firstFetchedAt: String?
        var lastFetchedAt: String?
    }

    public let configuration: Configuration
    public nonisolated let recovery: RecoveryReport
    private let ledger: any ExportLedger
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private var faultInjection: FaultInjection
    private var openFile: OpenFile?
    private var nextSequence: Int
    private var stopReason: ExportError?
    /// A file committed to the ledger whose rename (or directory fsync) failed.
    private var pendingRename: CommittedFile?
    private var manifestIsStale = false
    /// The output error that blocks the exporter until what failed is redone.
    private var blockage: (error: ExportError, since: ContinuousClock.Instant, lastLogged: ContinuousClock.Instant)?
    private let blockedGauge = Gauge(label: "khabar_export_blocked")
    private let noSpaceErrors = Counter(label: "khabar_export_errors_total", dimensions: [("kind", "no_space")])
    private let ioErrors = Counter(label: "khabar_export_errors_total", dimensions: [("kind", "io")])
    private let fatalErrors = Counter(label: "khabar_export_errors_total", dimensions: [("kind", "fatal")])
    private let refusedRecords = Counter(label: "khabar_export_refused_records_total")
    /// Records dropped from files because the ledger refused them (exported by another process).
    private var refusedRecordTotal = 0

    private struct CommittedFile {
        let entry: ExportFileEntry
        let partPath: String
        let acknowledgements: [ExportAcknowledgement]
    }

    /// Opens the output directory (creating it), recovers from an earlier crash and rewrites
    /// the manifest.
    ///
    /// - Parameters:
    ///   - ledger: the export checkpoint; usually the `SQLiteStateStore`.
    ///   - clock: the wall clock, for file names, ages and manifest times (injected by tests).
    public init(
        configuration: Configuration, ledger: any ExportLedger, clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "khabar.export")
    ) throws {
        try self.init(configuration: configuration, ledger: ledger, clock: clock, logger: logger, faultInjection: .none)
    }

    package init(
        configuration: Configuration, ledger: any ExportLedger, clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "khabar.export"), faultInjection: FaultInjection
    ) throws {
        self.configuration = configuration
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
        self.faultInjection = faultInjection
        try FileManager.default.createDirectory(at: configuration.directory, withIntermediateDirectories: true)
        recovery = try Self.recover(configuration: configuration, ledger: ledger, logger: logger)
        nextSequence = try Self.ledgerCall { (try ledger.lastSequence() ?? 0) + 1 }
        do {
            try Self.writeManifest(configuration: configuration, ledger: ledger, now: clock())
        } catch let error as ExportError where error.isRetryable {
            // Starting on a full disk: start blocked; the first call retries the manifest.
            let now = ContinuousClock.now
            manifestIsStale = true
            blockage = (error, now, now)
            blockedGauge.record(1)
            let what = error.isNoSpaceLeft ? "the output disk is full" : "the output directory cannot be written"
            logger.error(
                "\(what): export waits until it can write again",
                metadata: ["directory": "\(configuration.directory.path)", "error": "\(error)"])
        }
    }

    // MARK: Appending

    /// Appends `record` to the open file (opening or rotating files as needed).
    ///
    /// - Parameters:
    ///   - pending: state to commit in the same transaction as the file that holds `record`
    ///     (the Deduplicator's fingerprints); discarded if the record is dropped.
    ///   - acknowledgement: called once the record is in a finished file, or at once when it
    ///     was exported before.
    @discardableResult
    public func append(
        _ record: ArticleRecord, pending: PendingState = PendingState(), acknowledgement: ExportAcknowledgement? = nil
    ) throws -> AppendOutcome {
        try throwIfStopped()
        try resumeIfBlocked()
        if openFile?.canonicalURLs.contains(record.canonicalURL) == true {
            if let acknowledgement { openFile?.acknowledgements.append(acknowledgement) }
            return .droppedDuplicateOfOpenFile
        }
        // A failed read leaves nothing half done, so it does not stop the exporter.
        if try Self.ledgerCall({ try ledger.isExported(canonicalURL: record.canonicalURL) }) {
            acknowledgement?.acknowledge()
            return .droppedAlreadyExported
        }
        let line = record.jsonLine()
        if let open = openFile, open.lineBytes + line.count > configuration.maxFileBytes || isOld(open) {
            try finishFile()
        }
        if openFile == nil { try openNewFile() }
        // Before taking the record, so a failed checkpoint leaves it untaken.
        if let open = openFile, open.heldLineBytes > 0, open.heldLineBytes + line.count > configuration.checkpointBytes {
            try checkpoint()
        }
        do {
            try openFile!.writer!.append(line)
        } catch {
            // The record is not taken; the part (torn now) is cut back and `heldLines` rewritten.
            throw partFailure(error)
        }
        openFile!.heldLines.append(line)
        openFile!.heldLineBytes += line.count
        openFile!.lineBytes += line.count
        openFile!.records.append(ExportedRecordKey(recordID: record.id, canonicalURL: record.canonicalURL))
        openFile!.fetchedAts.append(record.fetchedAt)
        openFile!.canonicalURLs.insert(record.canonicalURL)
        openFile!.pending.merge(pending)
        if let acknowledgement { openFile!.acknowledgements.append(acknowledgement) }
        openFile!.firstFetchedAt = min(openFile!.firstFetchedAt ?? record.fetchedAt, record.fetchedAt)
        openFile!.lastFetchedAt = max(openFile!.lastFetchedAt ?? record.fetchedAt, record.fetchedAt)
        return .appended
    }

    /// Finishes the open file if it is older than `maxFileAge`; for a periodic timer, so a
    /// quiet period does not hold records back.
    @discardableResult
    public func rotateIfDue() throws -> ExportFileEntry? {
        try throwIfStopped()
        try resumeIfBlocked()
        guard let open = openFile, isOld(open) else { return nil }
        return try finishFile()
    }

    /// Finishes the open file, if any (graceful shutdown, or a caller that wants a checkpoint).
    @discardableResult
    public func finishOpenFile() throws -> ExportFileEntry? {
        try throwIfStopped()
        try resumeIfBlocked()
        return try finishFile()
    }

    /// The output error the exporter is blocked on (waiting for space), if any.
    public var blockedBy: ExportError? { blockage?.error }

    /// Records in the open, unfinished file.
    public var openRecordCount: Int { openFile?.records.count ?? 0 }

    /// Records left out of finished files because another process sharing the ledger had
    /// committed them first.
    public var refusedRecordCount: Int { refusedRecordTotal }

    /// The error that stopped the exporter, if one did.
    public var stoppedBy: ExportError? { stopReason }

    /// JSONL bytes of the open file held in memory: the lines since its last checkpoint.
    package var heldLineBytes: Int { openFile?.heldLineBytes ?? 0 }

    /// Test hook: changes the injected fault (a test "frees the disk" by setting `.none`);
    /// the open part and parts opened from now on use it.
    package func setFaultInjection(_ fault: FaultInjection) {
        faultInjection = fault
        openFile?.writer?.injectedFailure = injectedPartFailure
    }

    // MARK: Finishing

    @discardableResult
    private func finishFile() throws -> ExportFileEntry? {
        guard let file = openFile, let writer = file.writer else { return nil }
        let directory = configuration.directory.path
        let byteCount: Int
        let sha256: String
        do {
            (byteCount, sha256) = try writer.finishAndSync()
        } catch {
            // After a failed fsync the kernel may have dropped the pages written since the last
            // checkpoint's fdatasync (the ones before it are on disk): those are written again.
            throw partFailure(error)
        }
        // From here on, this part takes no more records.
        openFile = nil
        let entry = ExportFileEntry(
            name: file.finalName, sequence: file.sequence, recordCount: file.records.count,
            byteCount: byteCount, sha256: sha256, firstFetchedAt: file.firstFetchedAt,
            lastFetchedAt: file.lastFetchedAt, finishedAt: clock())
        let committedEntry: ExportFileEntry?
        do {
            try injectCrash(at: .crashAfterPartSync)
            committedEntry = try commit(entry, of: file, partPath: writer.path)
            try injectCrash(at: .crashAfterLedgerCommit)
        } catch {
            throw stop(error)
        }
        guard let entry = committedEntry else {
            // Every record was exported by another process: nothing of this file is left.
            file.acknowledgements.forEach { $0.acknowledge() }
            do { try ExportFiles.fsyncDirectory(directory) } catch { throw fail(error) }
            return nil
        }
        let committed = CommittedFile(entry: entry, partPath: writer.path, acknowledgements: file.acknowledgements)
        do {
            try completeRename(committed, directory: directory)
        } catch {
            // Committed: a restart would rename it; until then the rename is retried.
            pendingRename = committed
            throw fail(error)
        }
        try writeManifestAfterFinishing()
        return entry
    }

    /// How often one file is rewritten after refused commits before the exporter gives up:
    /// each refusal needs another process to have committed one of its articles in between.
    static let maxRefusedCommits = 8

    /// Step 2: commits the finished part. When the ledger refuses it because another process
    /// sharing the state committed some of its articles first (an alias reached under another
    /// URL at the same moment), those lines are rewritten out of the part and the rest is
    /// committed again: the articles are in the other process's files, so leaving them out
    /// keeps every article in exactly one file. Returns the entry committed, or nil when every
    /// record was refused (the part is then deleted).
    private func commit(_ entry: ExportFileEntry, of file: OpenFile, partPath: String) throws -> ExportFileEntry? {
        var entry = entry
        var records = file.records
        var fetchedAts = file.fetchedAts
        var pending = file.pending
        for _ in 0..<Self.maxRefusedCommits {
            let refused: Set<String>
            do {
                try ledger.commitFinishedFile(entry, records: records, pending: pending)
                return entry
            } catch let error as AlreadyExportedError where error.fileName == nil && !error.canonicalURLs.isEmpty {
                refused = Set(error.canonicalURLs)
            } catch let error as ExportError {
                throw error
            } catch {
                throw ExportError.ledger(String(describing: error))
            }
            let keep = records.map { !refused.contains($0.canonicalURL) }
            let dropped = keep.count { !$0 }
            guard dropped > 0 else { throw ExportError.ledger("ledger refused \(entry.name) for records it does not hold") }
            refusedRecordTotal += dropped
            refusedRecords.increment(by: dropped)
            logger.notice(
                "records exported meanwhile by another process dropped from the file before committing it", metadata: [
                    "file": "\(entry.name)", "dropped": "\(dropped)", "kept": "\(keep.count - dropped)",
                    "example": "\(records.first { refused.contains($0.canonicalURL) }?.canonicalURL ?? "?")",
                ])
            records = zip(records, keep).filter(\.1).map(\.0)
            fetchedAts = zip(fetchedAts, keep).filter(\.1).map(\.0)
            let keptIDs = Set(records.map(\.recordID))
            pending.fingerprints.removeAll { !keptIDs.contains($0.recordID) }
            if records.isEmpty {
                try ExportFiles.remove(partPath)
                return nil
            }
            (entry.byteCount, entry.sha256) = try rewritePart(partPath, keeping: keep)
            entry.recordCount = records.count
            entry.firstFetchedAt = fetchedAts.min()
            entry.lastFetchedAt = fetchedAts.max()
        }
        throw ExportError.ledger("ledger refused \(entry.name) \(Self.maxRefusedCommits) times")
    }

    /// Replaces the finished part at `partPath` with one holding only its lines whose `keep`
    /// is true (streamed: the part can be far larger than what the exporter holds in memory).
    /// The new part is written beside it under a name recovery deletes (it ends in `.part`
    /// and is in no ledger), synced, and renamed over the old one; a crash at any point leaves
    /// an uncommitted part, whose records were never acknowledged.
    private func rewritePart(_ partPath: String, keeping keep: [Bool]) throws -> (byteCount: Int, sha256: String) {
        let rewritePath = String(partPath.dropLast(Self.partSuffix.count)) + ".rewrite" + Self.partSuffix
        try? ExportFiles.remove(rewritePath)
        let writer = try makeWriter(rewritePath)
        var index = 0
        do {
            try ExportFiles.forEachLine(ofPart: partPath, gzip: configuration.compression != .none) { line in
                guard index < keep.count else { throw ExportError.partLost(path: partPath, reason: "more lines than records") }
                if keep[index] { try writer.append(line) }
                index += 1
            }
            guard index == keep.count else { throw ExportError.partLost(path: partPath, reason: "\(index) lines for \(keep.count) records") }
            let finished = try writer.finishAndSync()
            try ExportFiles.rename(rewritePath, to: partPath)
            try ExportFiles.fsyncDirectory(configuration.directory.path)
            return finished
        } catch {
            writer.closeDescriptor()
            try? ExportFiles.remove(rewritePath)
            throw error
        }
    }

    /// Steps 3 to 5 for a committed file: rename, fsync the directory, acknowledge.
    private func completeRename(_ committed: CommittedFile, directory: String) throws {
        let finalPath = configuration.directory.appendingPathComponent(committed.entry.name).path
        // A retry after a failed directory fsync finds the rename done already.
        if ExportFiles.exists(committed.partPath) || !ExportFiles.exists(finalPath) {
            try ExportFiles.rename(committed.partPath, to: finalPath)
        }
        try ExportFiles.fsyncDirectory(directory)
        try injectCrash(at: .crashAfterRename)
        logger.debug("finished export file", metadata: ["file": "\(committed.entry.name)", "records": "\(committed.entry.recordCount)"])
        // The records are in a finished, committed file: acknowledging them is right even
        // if the manifest cannot be rewritten yet (it is retried, and a restart rebuilds it).
        committed.acknowledgements.forEach { $0.acknowledge() }
    }

    private func writeManifestAfterFinishing() throws {
        do {
            try Self.writeManifest(configuration: configuration, ledger: ledger, now: clock())
            manifestIsStale = false
        } catch {
            manifestIsStale = true
            throw fail(error)
        }
    }

    // MARK: Blocking on output errors

    /// Redoes what an output error left undone, oldest first. Throws (and stays blocked) when
    /// the output still fails.
    private func resumeIfBlocked() throws {
        guard let blocked = blockage else { return }
        if let committed = pendingRename {
            do { try completeRename(committed, directory: configuration.directory.path) } catch { throw fail(error) }
            pendingRename = nil
            manifestIsStale = true
        }
        if manifestIsStale { try writeManifestAfterFinishing() }
        if let open = openFile, open.needsRewrite {
            do {
                // The part is at its last checkpoint, or gone if it had none.
                let writer: PartFileWriter
                if let existing = open.writer {
                    writer = existing
                } else {
                    let partPath = path(open.finalName + Self.partSuffix)
                    try? ExportFiles.remove(partPath)
                    writer = try makeWriter(partPath)
                    openFile!.writer = writer
                }
                for line in open.heldLines { try writer.append(line) }
                // A full disk shows at write(): find out now, not at the next flush.
                try writer.flushBuffer()
            } catch {
                throw partFailure(error)
            }
            openFile!.needsRewrite = false
        }
        blockage = nil
        blockedGauge.record(0)
        let seconds = Int((ContinuousClock.now - blocked.since).secondsDouble.rounded())
        logger.notice(
            "export resumed: the output directory is writable again", metadata: [
                "directory": "\(configuration.directory.path)", "blocked_seconds": "\(seconds)",
                "records_kept": "\(openFile?.records.count ?? 0)",
            ])
    }

    /// Checkpoints the open part and drops the lines it made durable.
    private func checkpoint() throws {
        do {
            try openFile!.writer!.checkpoint()
        } catch {
            // The previous checkpoint still holds and `heldLines` still has everything since.
            throw partFailure(error)
        }
        openFile!.heldLines = []
        openFile!.heldLineBytes = 0
    }

    /// Handles an error writing or syncing the open part: an output error cuts the part back
    /// to its last checkpoint and blocks (`resumeIfBlocked` rewrites `heldLines`); any other
    /// error, or a part that cannot be cut back, stops the exporter.
    private func partFailure(_ error: any Error) -> ExportError {
        guard let exportError = error as? ExportError, exportError.isRetryable else { return stop(error) }
        if let lost = rewindPart() { return stop(lost) }
        return fail(exportError)
    }

    /// Brings the open part back to a state `heldLines` can continue from. Without a
    /// checkpoint `heldLines` is the whole file, so the part is deleted (freeing its space) and
    /// created again on resume; otherwise it is cut back to the checkpoint. Returns the error
    /// to stop with when that fails: the lines before the checkpoint are not in memory.
    private func rewindPart() -> ExportError? {
        guard let writer = openFile?.writer else { return nil }
        openFile!.needsRewrite = true
        if writer.checkpointedLineBytes == 0 {
            writer.closeDescriptor()
            try? ExportFiles.remove(writer.path)
            openFile!.writer = nil
            return nil
        }
        do {
            try writer.rewind()
            return nil
        } catch {
            return .partLost(path: writer.path, reason: "\(error)")
        }
    }

    /// An output (file-system) error blocks the exporter until it can redo the step; any
    /// other error stops it.
    private func fail(_ error: any Error) -> ExportError {
        guard let exportError = error as? ExportError, exportError.isRetryable else { return stop(error) }
        let now = ContinuousClock.now
        if exportError.isNoSpaceLeft { noSpaceErrors.increment() } else { ioErrors.increment() }
        if let blocked = blockage {
            blockage!.error = exportError
            if now - blocked.lastLogged >= .seconds(60) {
                blockage!.lastLogged = now
                logger.error(
                    "export still blocked: \(exportError.isNoSpaceLeft ? "the output disk is full" : "the output directory cannot be written")",
                    metadata: [
                        "directory": "\(configuration.directory.path)", "error": "\(exportError)",
                        "blocked_seconds": "\(Int((now - blocked.since).secondsDouble.rounded()))",
                    ])
            }
        } else {
            blockage = (exportError, now, now)
            blockedGauge.record(1)
            let what = exportError.isNoSpaceLeft ? "the output disk is full" : "the output directory cannot be written"
            logger.error(
                "\(what): export paused and retried until it can write again; finished files are intact and nothing unwritten was acknowledged",
                metadata: [
                    "directory": "\(configuration.directory.path)", "error": "\(exportError)",
                    "records_kept": "\(openFile?.records.count ?? 0)",
                ])
        }
        return exportError
    }

    private func openNewFile() throws {
        let now = clock()
        let stamp = ExportFiles.compactUTC(now)
        var name: String
        // Names come from the ledger's sequence; skip any left by a wiped state directory.
        repeat {
            name = "\(configuration.filePrefix)-\(stamp)-\(Self.padded(nextSequence))\(configuration.finishedSuffix)"
            nextSequence += 1
        } while ExportFiles.exists(path(name)) || ExportFiles.exists(path(name + Self.partSuffix))
        do {
            let writer = try makeWriter(path(name + Self.partSuffix))
            openFile = OpenFile(writer: writer, finalName: name, sequence: nextSequence - 1, openedAt: now)
        } catch {
            throw fail(error)
        }
    }

    private func makeWriter(_ partPath: String) throws -> PartFileWriter {
        let level: Int32? = if case .gzip(let level) = configuration.compression { level } else { nil }
        return try PartFileWriter(path: partPath, gzipLevel: level, injectedFailure: injectedPartFailure)
    }

    private var injectedPartFailure: PartFileWriter.InjectedFailure? {
        switch faultInjection {
        case .failWrites(let code, let afterBytes): .init(call: .write, errno: code, afterBytes: afterBytes)
        case .failSyncs(let code, let afterBytes): .init(call: .sync, errno: code, afterBytes: afterBytes)
        default: nil
        }
    }

    private func isOld(_ file: OpenFile) -> Bool {
        let age = clock().timeIntervalSince(file.openedAt)
        let limit = configuration.maxFileAge.components
        return age >= Double(limit.seconds) + Double(limit.attoseconds) / 1e18
    }

    private func path(_ name: String) -> String { configuration.directory.appendingPathComponent(name).path }

    private func throwIfStopped() throws {
        if let stopReason { throw ExportError.stopped(after: stopReason.description) }
    }

    /// Records the first error that stops the exporter and logs it once.
    private func stop(_ error: any Error) -> ExportError {
        let exportError = error as? ExportError ?? .ledger(String(describing: error))
        if stopReason == nil {
            stopReason = exportError
            if case .simulatedCrash = exportError {} else {
                fatalErrors.increment()
                logger.error(
                    "export stopped; finished files are intact, unfinished records stay unacknowledged",
                    metadata: ["error": "\(exportError)"])
            }
        }
        openFile?.writer?.closeDescriptor()
        openFile = nil
        return exportError
    }

    private func injectCrash(at step: FaultInjection) throws {
        if faultInjection == step { throw ExportError.simulatedCrash("\(step)") }
    }

    // MARK: Recovery and manifest

    static let partSuffix = ".part"

    private static func recover(configuration: Configuration, ledger: any ExportLedger, logger: Logger) throws -> RecoveryReport {
        var report = RecoveryReport()
        let directory = configuration.directory.path
        let ownPrefix = configuration.filePrefix + "-"
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ExportError.io(operation: "list", path: directory, errno: EIO)
        }
        let present = Set(names)
        for partName in names.sorted() where partName.hasPrefix(ownPrefix) && partName.hasSuffix(partSuffix) {
            let finalName = String(partName.dropLast(partSuffix.count))
            let partPath = configuration.directory.appendingPathComponent(partName).path
            let isFinished = try ledgerCall { try ledger.finishedFile(named: finalName) != nil }
            if isFinished && !present.contains(finalName) {
                try ExportFiles.rename(partPath, to: configuration.directory.appendingPathComponent(finalName).path)
                report.completedRenames.append(finalName)
            } else {
                try ExportFiles.remove(partPath)
                report.discardedParts.append(partName)
            }
        }
        if !report.completedRenames.isEmpty || !report.discardedParts.isEmpty {
            try ExportFiles.fsyncDirectory(directory)
            logger.info(
                "export recovery", metadata: [
                    "renamed": "\(report.completedRenames.count)", "discarded": "\(report.discardedParts.count)",
                ])
        }
        let onDisk = present.union(report.completedRenames)
        report.missingFiles = try ledgerCall { try ledger.finishedFiles() }
            .map(\.name).filter { $0.hasPrefix(ownPrefix) && !onDisk.contains($0) }
        if !report.missingFiles.isEmpty {
            logger.error(
                "finished export files are missing from the output directory; their records stay marked exported",
                metadata: ["count": "\(report.missingFiles.count)", "first": "\(report.missingFiles[0])"])
        }
        return report
    }

    private static func writeManifest(configuration: Configuration, ledger: any ExportLedger, now: Date) throws {
        let ownPrefix = configuration.filePrefix + "-"
        let files = try ledgerCall { try ledger.finishedFiles() }.filter { $0.name.hasPrefix(ownPrefix) }
        let bytes: [UInt8]
        do {
            bytes = try ExportManifest(files: files, updatedAt: now).encoded()
        } catch {
            throw ExportError.ledger("manifest encoding failed: \(error)")
        }
        try ExportFiles.replaceAtomically(
            configuration.directory.appendingPathComponent(configuration.manifestFileName).path, with: bytes,
            directory: configuration.directory.path)
    }

    /// Runs a ledger call, wrapping its error so every error the exporter throws is `ExportError`.
    private static func ledgerCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError.ledger(String(describing: error))
        }
    }

    private static func padded(_ sequence: Int) -> String {
        let digits = String(sequence)
        return digits.count >= 6 ? digits : String(repeating: "0", count: 6 - digits.count) + digits
    }
}
