/// LSH band keys of recently committed records, held in memory until they are merged into the
/// `dedup_bands` table in one sorted pass.
///
/// Why: a band key is a random 64-bit number, so each record's 32 band rows land on 32 random
/// pages of a B-tree that grows by millions of rows; inserting them as records arrive rewrote
/// about 32 pages (128 KB of WAL, then as much again at checkpoint) per record, and decisions
/// slowed from 830/s to 330/s within 40,000 records. Merged sorted, thousands of records at a
/// time, every page of the table is written at most once per merge.
///
/// Losing this index loses nothing: the same keys are in `dedup_band_log` (one row per record,
/// appended in sequence order), from which it is rebuilt when the store opens.
struct RecentBandIndex: Sendable {
    /// Band key → position of its newest entry in `entrySequences`.
    private var newestEntry: [UInt64: Int32] = [:]
    private var entryKeys: [UInt64] = []
    private var entrySequences: [Int64] = []
    /// Position of the previous entry with the same key, -1 for none.
    private var previousEntry: [Int32] = []

    private(set) var recordCount = 0
    private(set) var highestSequence: Int64 = 0

    var isEmpty: Bool { recordCount == 0 }

    /// Adds one record's distinct band keys.
    mutating func add(sequence: Int64, bandKeys: [UInt64]) {
        for key in bandKeys {
            let position = Int32(entrySequences.count)
            previousEntry.append(newestEntry[key] ?? -1)
            newestEntry[key] = position
            entryKeys.append(key)
            entrySequences.append(sequence)
        }
        recordCount += 1
        highestSequence = max(highestSequence, sequence)
    }

    /// For each record sharing any of `keys`, how many of them it shares.
    func sharedKeyCounts(_ keys: some Sequence<UInt64>) -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for key in keys {
            var position = newestEntry[key] ?? -1
            while position >= 0 {
                counts[entrySequences[Int(position)], default: 0] += 1
                position = previousEntry[Int(position)]
            }
        }
        return counts
    }

    /// Every (band key, record sequence) pair, in the table's order: keys as SQLite compares
    /// them (`Int64(bitPattern:)`), then sequence. Written into `rows` (emptied first), whose
    /// storage the caller keeps from merge to merge: a new array of a merge's 320,000 rows
    /// each time was a 5 MB spike in the daemon's RSS.
    func sortedRows(into rows: inout [(bandKey: Int64, sequence: Int64)]) {
        rows.removeAll(keepingCapacity: true)
        for (key, sequence) in zip(entryKeys, entrySequences) { rows.append((Int64(bitPattern: key), sequence)) }
        rows.sort { $0.bandKey != $1.bandKey ? $0.bandKey < $1.bandKey : $0.sequence < $1.sequence }
    }

    /// Empties the index but keeps its storage: it fills to the same size before every merge,
    /// and giving the memory back each time made the daemon's RSS a 15 MB sawtooth.
    mutating func removeAll() {
        newestEntry.removeAll(keepingCapacity: true)
        entryKeys.removeAll(keepingCapacity: true)
        entrySequences.removeAll(keepingCapacity: true)
        previousEntry.removeAll(keepingCapacity: true)
        recordCount = 0
        highestSequence = 0
    }
}
