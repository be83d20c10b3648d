/// The folding pass for the common case: one table lookup per scalar gives the bytes to write,
/// and no NFC work. Any scalar needing more (an Arabic mark kept, a multi-scalar lowercase, a
/// scalar that composes under NFC…) sends the whole text back to `NormalizingScanner`, the
/// reference path.
///
/// Spaces and line breaks are written where they stand ("simple emission"), then, only when
/// that left two in a row or one at either end (a mark dropped between spaces, a line of
/// marks), collapsed the way the scanner does it, from the first such place on. Display text
/// needs that only where folding dropped something next to a space or line break.
///
/// Built per option set from the folding `ScalarActions`, so every option set folds the same
/// way on both paths.
final class FoldingFastPath: Sendable {
    let actions: ScalarActions
    /// Entries (see `Entry`) of U+0000–07FF at their scalar value, then U+2000–206F from
    /// `generalPunctuationStart`.
    private let entries: [UInt32]
    /// The entry of the scalar starting a word, indexed by the word's low 14 bits: the lead byte
    /// and the low six bits of the byte after it (only 2-byte leads use them; an ASCII entry
    /// repeats across them). A lead of three or four bytes, or a byte that cannot lead, gives
    /// `Entry.slowPath`. One AND makes the index, and the Arabic letters (D8–D9 leads) share 64
    /// cache lines.
    private let pairEntries: [UInt32]
    /// Where the first four scalars of an eight-byte word start and how many bytes they take,
    /// indexed by the word's eight high bits (`Layout`), when each scalar has one or two bytes.
    private let layouts: [UInt64]

    private static let generalPunctuationStart = 0x800

    static let `default` = FoldingFastPath(actions: .defaultFolding)

    static func shared(for options: NormalizationOptions) -> FoldingFastPath {
        options == .default ? .default : FoldingFastPath(actions: ScalarActions.shared(for: options, folding: true))
    }

    init(actions: ScalarActions) {
        precondition(actions.folding)
        self.actions = actions
        var entries = (0..<0x80).map { Entry.make(action: actions.ascii[$0], value: UInt32($0), actions: actions) }
        entries += (0x80..<0x800).map { Entry.make(action: actions.twoByte[$0 - 0x80], value: UInt32($0), actions: actions) }
        entries += (0x2000..<0x2070).map {
            Entry.make(action: actions.generalPunctuation[$0 - 0x2000], value: UInt32($0), actions: actions)
        }
        self.entries = entries
        pairEntries = (0..<UInt32(Self.pairEntryCount)).map { index in
            let lead = index & 0xFF
            switch lead {
            case 0..<0x80: return entries[Int(lead)]
            case 0xC2..<0xE0: return entries[Int((lead & 0x1F) << 6 | index >> 8)]
            default: return Entry.slowPath  // three or four bytes, or not a lead (C0, C1, continuations)
            }
        }
        layouts = (0..<256).map(Layout.make)
    }

    private static let pairEntryCount = 1 << 14

    /// The scalars of a word as if every byte with its high bit set led two bytes (a longer
    /// scalar, or a continuation byte taken for a lead, meets a `slowPath` entry, so the guess
    /// is checked): bytes 0–3 hold each scalar's bit offset in the word, byte 4 the bytes the
    /// four take.
    enum Layout {
        static func make(highBits: Int) -> UInt64 {
            var position = 0
            var layout: UInt64 = 0
            for scalar in 0..<4 {
                layout |= UInt64(8 * position) << (8 * UInt64(scalar))
                position += highBits >> position & 1 == 0 ? 1 : 2
            }
            return layout | UInt64(position) << 32
        }

        /// The high bit of each byte of `word`, byte k's in bit k. (The multiplier moves bit 8k
        /// to bit 56 + k; no two partial products meet, so nothing carries.)
        @inline(__always)
        static func highBits(_ word: UInt64) -> Int {
            Int(truncatingIfNeeded: (((word >> 7) & 0x0101_0101_0101_0101) &* 0x0102_0408_1020_4080) >> 56)
        }
    }

    /// What the loop writes for one scalar, in one `UInt32`: up to three output bytes in the
    /// low 24 bits (first byte lowest), flags, and the byte count in the top two bits (one
    /// shift to read).
    enum Entry {
        static let lengthShift: UInt32 = 30
        /// Handled outside the word loop: a scalar of three or four bytes, or one to leave to
        /// the scanner.
        static let slowPath: UInt32 = 1 << 24
        /// The output scalar is neither ASCII nor an Arabic letter U+0621–0678: it can follow
        /// ط ظ ع غ in a windows-1256 signature (or is Ã Ø Ù Ú Û itself).
        static let unusualScalar: UInt32 = 1 << 25
        /// The output scalar can begin a mojibake signature: Ã Ø Ù Ú Û or ط ظ ع غ.
        static let signatureLead: UInt32 = 1 << 26
        /// Dropped: nothing written.
        static let drop: UInt32 = 0

        static func make(action: UInt32, value: UInt32, actions: ScalarActions) -> UInt32 {
            let inputLength = Unicode.Scalar(value).map { UTF8.width($0) } ?? 4
            switch ScalarAction.kind(action) {
            case .keep: return emitting([value], inputLength: inputLength)
            case .drop: return drop
            case .space: return emitting([0x20], inputLength: inputLength)
            case .newline: return emitting([0x0A], inputLength: inputLength)
            case .replace:
                // A replacement by a space or line break would pass for one in the collapsing.
                let payload = ScalarAction.payload(action)
                return payload == 0x20 || payload == 0x0A ? slowPath : emitting([payload], inputLength: inputLength)
            case .expand:
                // The ellipsis under `.unify` is three full stops; other expansions go through
                // the tables again in the scanner.
                guard value == 0x2026, actions.ascii[0x2E] == ScalarAction.make(.keep) else { return slowPath }
                return emitting([0x2E, 0x2E, 0x2E], inputLength: inputLength)
            case .arabicMark, .keepNeedingNFC, .tatweel: return slowPath
            }
        }

        /// Never more bytes than the input scalar had, so the output fits in the input's size.
        private static func emitting(_ scalars: [UInt32], inputLength: Int) -> UInt32 {
            var bytes: [UInt8] = []
            var flags: UInt32 = 0
            for value in scalars {
                guard let scalar = Unicode.Scalar(value) else { return slowPath }
                bytes += Array(String(scalar).utf8)
                flags |= Self.flags(ofOutput: value)
            }
            guard bytes.count <= min(inputLength, 3) else { return slowPath }
            var packed: UInt32 = 0
            for (offset, byte) in bytes.enumerated() { packed |= UInt32(byte) << (8 * UInt32(offset)) }
            return flags | UInt32(bytes.count) << lengthShift | packed
        }

        static func flags(ofOutput value: UInt32) -> UInt32 {
            var flags: UInt32 = 0
            if value >= 0x80 && !(0x0621...0x0678).contains(value) { flags |= unusualScalar }
            if [0xC3, 0xD8, 0xD9, 0xDA, 0xDB, 0x0637, 0x0638, 0x0639, 0x063A].contains(value) { flags |= signatureLead }
            return flags
        }
    }

    /// A folded text; `mojibakeRuledOut` when it cannot carry a mojibake signature, so
    /// `MojibakeRepair.mayContainMojibake` need not read it again.
    struct Folded {
        let text: String
        let mojibakeRuledOut: Bool
    }

    /// The folded form of `text` (what `NormalizingScanner.run(text, actions: actions)` gives),
    /// or nil when the text holds a scalar this pass leaves to the scanner.
    func fold(_ text: String) -> Folded? {
        var text = text
        return text.withUTF8 { input in
            guard let source = input.baseAddress, !input.isEmpty else { return Folded(text: "", mojibakeRuledOut: true) }
            // +4: every scalar stores four bytes at once; the output never outgrows the input.
            let output = UnsafeMutablePointer<UInt8>.allocate(capacity: input.count + 4)
            defer { output.deallocate() }
            var seenFlags: UInt32 = 0
            let emitted = pairEntries.withUnsafeBufferPointer { pairEntries in
                layouts.withUnsafeBufferPointer { layouts in
                    emit(source, count: input.count, into: output, pairEntries: pairEntries.baseAddress!,
                         layouts: layouts.baseAddress!, seenFlags: &seenFlags)
                }
            }
            guard var written = emitted else { return nil }
            if let run = Self.firstSeparatorRun(output, count: written) {
                written = Self.collapseSeparators(output, count: written, from: run)
            }
            let signaturePossible = seenFlags & (Entry.unusualScalar | Entry.signatureLead)
                == Entry.unusualScalar | Entry.signatureLead
            // Written from table entries: valid UTF-8 by construction.
            return Folded(text: String(validUTF8: UnsafeBufferPointer(start: output, count: written)),
                          mojibakeRuledOut: !signaturePossible)
        }
    }

    /// Simple emission: every scalar's entry bytes, spaces and line breaks included. Returns the
    /// byte count, or nil at the first scalar left to the scanner.
    ///
    /// Reads eight bytes at a time and takes the first four scalars of the word at once: their
    /// places come from one `layouts` load rather than from each scalar's length in turn, so the
    /// only chain from one word to the next is the position, and the four lookups overlap. A
    /// word holding a longer scalar or one for the scanner goes scalar by scalar instead.
    private func emit(
        _ source: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<UInt8>,
        pairEntries: UnsafePointer<UInt32>, layouts: UnsafePointer<UInt64>, seenFlags: inout UInt32
    ) -> Int? {
        let outputBytes = UnsafeMutableRawPointer(output)
        let pairMask: UInt64 = UInt64(Self.pairEntryCount - 1)
        var index = 0
        var written = 0
        var flags: UInt32 = 0
        while index < count {
            var word: UInt64
            if index &+ 8 <= count {
                word = UInt64(littleEndian: UnsafeRawPointer(source).loadUnaligned(fromByteOffset: index, as: UInt64.self))
            } else {
                // The last bytes, padded with NULs (dropped; the loop ends at `count` anyway).
                word = 0
                for offset in 0..<(count &- index) { word |= UInt64(source[index &+ offset]) << (8 &* UInt64(offset)) }
            }
            // (`&>>` keeps each offset's six bits, all it has.)
            let layout = layouts[Layout.highBits(word)]
            let first = pairEntries[Int(truncatingIfNeeded: word & pairMask)]
            let second = pairEntries[Int(truncatingIfNeeded: word &>> (layout &>> 8) & pairMask)]
            let third = pairEntries[Int(truncatingIfNeeded: word &>> (layout &>> 16) & pairMask)]
            let fourth = pairEntries[Int(truncatingIfNeeded: word &>> (layout &>> 24) & pairMask)]
            let all = first | second | third | fourth
            if all & Entry.slowPath == 0 {
                Self.store(first, at: &written, in: outputBytes)
                Self.store(second, at: &written, in: outputBytes)
                Self.store(third, at: &written, in: outputBytes)
                Self.store(fourth, at: &written, in: outputBytes)
                flags |= all
                index &+= Int(truncatingIfNeeded: layout >> 32)
                continue
            }
            let progress = emitScalarByScalar(
                word, source, count: count, into: output, pairEntries: pairEntries,
                from: Progress(index: index, written: written, flags: flags))
            guard let progress else { return nil }
            (index, written, flags) = (progress.index, progress.written, progress.flags)
        }
        seenFlags = flags
        return written
    }

    /// Where emission stands: bytes read, bytes written, entry flags seen.
    private struct Progress {
        var index: Int
        var written: Int
        var flags: UInt32
    }

    /// The word at `progress.index` when it holds a scalar of three or four bytes or one for the
    /// scanner: its scalars one by one up to that one, then that one. Nil when the scanner
    /// must take the text. Kept out of `emit` so its loop keeps its values in registers.
    @inline(never)
    private func emitScalarByScalar(
        _ word: UInt64, _ source: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<UInt8>,
        pairEntries: UnsafePointer<UInt32>, from progress: Progress
    ) -> Progress? {
        let outputBytes = UnsafeMutableRawPointer(output)
        let pairMask: UInt64 = UInt64(Self.pairEntryCount - 1)
        var (word, index, written, flags) = (word, progress.index, progress.written, progress.flags)
        var entry: UInt32 = 0
        for _ in 0..<4 {
            entry = pairEntries[Int(truncatingIfNeeded: word & pairMask)]
            if entry & Entry.slowPath != 0 { break }
            let length = 1 &+ Int(truncatingIfNeeded: word >> 7 & 1)
            word &>>= UInt64(truncatingIfNeeded: length &* 8)
            index &+= length
            Self.store(entry, at: &written, in: outputBytes)
            flags |= entry
        }
        guard entry & Entry.slowPath != 0, index < count else {
            return Progress(index: index, written: written, flags: flags)
        }
        let lead = source[index]
        guard lead >= 0xE0 else { return nil }
        let length = lead < 0xF0 ? 3 : 4
        var value = UInt32(lead & (length == 3 ? 0x0F : 0x07))
        for offset in 1..<length { value = value << 6 | UInt32(source[index &+ offset] & 0x3F) }
        if value &- 0x2000 < 0x70 {
            entry = entries[Self.generalPunctuationStart &+ Int(value &- 0x2000)]
        } else {
            let action = actions.wideAction(value)
            if action == ScalarAction.make(.keep) {
                // Copied as it is (a four-byte scalar does not fit an entry).
                for offset in 0..<length { output[written &+ offset] = source[index &+ offset] }
                return Progress(index: index &+ length, written: written &+ length, flags: flags | Entry.unusualScalar)
            }
            entry = Entry.make(action: action, value: value, actions: actions)
        }
        if entry & Entry.slowPath != 0 { return nil }
        Self.store(entry, at: &written, in: outputBytes)
        return Progress(index: index &+ length, written: written, flags: flags | entry)
    }

    /// Writes an entry's bytes: all four at once (the output has room), counting only its own.
    @inline(__always)
    private static func store(_ entry: UInt32, at written: inout Int, in output: UnsafeMutableRawPointer) {
        output.storeBytes(of: entry.littleEndian, toByteOffset: written, as: UInt32.self)
        written &+= Int(entry >> Entry.lengthShift)
    }

    /// Where simple emission first left a space or line break at either end or two in a row
    /// (the scanner's rules differ from writing them where they stand there), or nil. The
    /// bytes before it are already as the scanner writes them, and it starts a run.
    static func firstSeparatorRun(_ bytes: UnsafePointer<UInt8>, count: Int) -> Int? {
        guard count > 0 else { return nil }
        if isSeparator(bytes[0]) { return 0 }
        if let pair = firstSeparatorPair(bytes, from: 0, count: count) { return pair }
        return isSeparator(bytes[count &- 1]) ? count &- 1 : nil
    }

    /// The scanner's rules over simply emitted bytes, in place, from `start` (see
    /// `firstSeparatorRun`): a run of spaces and line breaks between visible bytes becomes a
    /// line break if it holds one, else one space; runs at either end go. The stretches between
    /// runs move in one piece. Returns the new count.
    static func collapseSeparators(_ bytes: UnsafeMutablePointer<UInt8>, count: Int, from start: Int) -> Int {
        var index = start
        var written = start
        while true {
            var owed: UInt8 = 0
            while index < count && isSeparator(bytes[index]) {
                if bytes[index] == 0x0A { owed = 0x0A } else if owed == 0 { owed = 0x20 }
                index &+= 1
            }
            guard index < count else { return written }
            if written > 0 && owed != 0 {
                bytes[written] = owed
                written &+= 1
            }
            // Up to the next run (single separators inside stay as they are).
            var end = firstSeparatorPair(bytes, from: index, count: count) ?? count
            if end == count && isSeparator(bytes[count &- 1]) { end = count &- 1 }
            (bytes + written).update(from: bytes + index, count: end &- index)
            written &+= end &- index
            index = end
        }
    }

    @inline(__always)
    private static func isSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A }

    /// The first position from `start` holding a space or line break followed by another.
    ///
    /// Eight bytes per load: a byte below 0x21 (a space or line break, the only such bytes the
    /// entries write) whose neighbour before it is one too is a candidate, checked byte by byte.
    private static func firstSeparatorPair(_ bytes: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int? {
        /// 0x80 in every byte of `word` below 0x21: the low seven bits plus 0x5F reach 0x80 from
        /// 0x21 on (no carry leaves a byte), and a byte's own high bit rules it out too.
        func lowBytes(_ word: UInt64) -> UInt64 {
            let high: UInt64 = 0x8080_8080_8080_8080
            return ~(((word & ~high) &+ 0x5F5F_5F5F_5F5F_5F5F) | word) & high
        }
        /// The first pair in `from..<end`, byte by byte.
        func exactPair(from: Int, to end: Int) -> Int? {
            var index = from
            while index &+ 1 < end {
                if isSeparator(bytes[index]) && isSeparator(bytes[index &+ 1]) { return index }
                index &+= 1
            }
            return nil
        }
        let raw = UnsafeRawPointer(bytes)
        var index = start
        var previousLow: UInt64 = 0
        while index &+ 8 <= count {
            let low = lowBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            // Each byte against the one before it; the first against the last of the word before.
            if low & (low << 8 | previousLow >> 56) != 0,
                let pair = exactPair(from: max(start, index &- 1), to: index &+ 8)
            {
                return pair
            }
            previousLow = low
            index &+= 8
        }
        return exactPair(from: max(start, index &- 1), to: count)
    }
}
