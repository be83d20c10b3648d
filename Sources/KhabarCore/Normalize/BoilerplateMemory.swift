internal import Foundation

/// A line as the memory knows it: a 64-bit FNV-1a hash of its folded form.
///
/// The hash is fixed (unlike `Hasher`, which is seeded per process) so that keys can be
/// persisted and compared across runs. Folding (`BoilerplateLexicon.comparisonKey`) makes
/// spelling, diacritic and punctuation variants of one footer the same line.
public struct BoilerplateLineKey: Sendable, Hashable {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    /// `nil` for a line with nothing left after folding (blank or punctuation only).
    public init?(line: String) {
        let folded = BoilerplateLexicon.comparisonKey(line)
        guard !folded.isEmpty else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in folded.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        value = hash
    }
}

/// What a source's documents have in common: lines (menus, disclaimers, footers) that recur in
/// many of its documents are furniture of that source, whatever they say.
///
/// Implementations must be safe to share between tasks; the daemon keeps one in SQLite.
public protocol BoilerplateMemory: Sendable {
    /// Records one document of `source`. A line counts once per document, however often it
    /// occurs in it.
    func recordDocument(lines: [String], source: String)
    /// Whether `line` recurs in enough of `source`'s documents to be its boilerplate.
    func isLearnedBoilerplate(_ line: String, source: String) -> Bool
}

/// When a recurring line counts as learned boilerplate: seen in at least `minimumDocuments`
/// documents of the source, and in at least `minimumShare` of them (so a source with
/// thousands of documents does not turn a phrase used in a few dozen into furniture).
public struct BoilerplateThreshold: Sendable, Equatable {
    public var minimumDocuments: Int
    public var minimumShare: Double

    public init(minimumDocuments: Int = 5, minimumShare: Double = 0.3) {
        self.minimumDocuments = minimumDocuments
        self.minimumShare = minimumShare
    }

    public func isMet(documentsWithLine: Int, documentsOfSource: Int) -> Bool {
        guard documentsOfSource > 0, documentsWithLine >= minimumDocuments else { return false }
        return Double(documentsWithLine) >= minimumShare * Double(documentsOfSource)
    }
}

/// A `BoilerplateMemory` held in memory for one run, behind a lock.
public final class InMemoryBoilerplateMemory: BoilerplateMemory, @unchecked Sendable {
    private struct SourceCounts {
        var documents = 0
        var documentsWithLine: [BoilerplateLineKey: Int] = [:]
    }

    public let threshold: BoilerplateThreshold
    // Guards `sources`; every access below holds it.
    private let lock = NSLock()
    private var sources: [String: SourceCounts] = [:]

    public init(threshold: BoilerplateThreshold = BoilerplateThreshold()) {
        self.threshold = threshold
    }

    public func recordDocument(lines: [String], source: String) {
        let keys = Set(lines.compactMap(BoilerplateLineKey.init(line:)))
        lock.lock()
        defer { lock.unlock() }
        var counts = sources[source, default: SourceCounts()]
        counts.documents += 1
        for key in keys { counts.documentsWithLine[key, default: 0] += 1 }
        sources[source] = counts
    }

    public func isLearnedBoilerplate(_ line: String, source: String) -> Bool {
        guard let key = BoilerplateLineKey(line: line) else { return false }
        lock.lock()
        defer { lock.unlock() }
        guard let counts = sources[source] else { return false }
        return threshold.isMet(documentsWithLine: counts.documentsWithLine[key] ?? 0, documentsOfSource: counts.documents)
    }

    /// How many documents of `source` have been recorded.
    public func documentCount(source: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return sources[source]?.documents ?? 0
    }
}
