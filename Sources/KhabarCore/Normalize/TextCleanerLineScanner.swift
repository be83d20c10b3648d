/// The cleaner's single pass over a document: it cuts the lines and, on the way, gathers what
/// the line rules would otherwise each read the line again for — the facts of
/// `TextCleanerLines.Scan`, the line's comparison key (`BoilerplateLexicon.comparisonKey`),
/// whether the display pass would leave the line as it is, and filters that say when the
/// costly rules cannot claim the line. A filter only ever says "cannot"; the rule itself decides
/// every line the filter lets through, so the result is the rules' own.
///
/// Most article text is paragraphs of 15–70 words. Before this pass the cleaner read each of
/// them some thirteen times (split, scan, key, menu items and their keys, cue words, phrases,
/// display form); now it reads them once, and the rules look at a few bits.
struct TextCleanerLineScanner: ~Copyable {
    /// One line of the document, non-blank.
    struct Line {
        /// The line's bytes in the document, newline excluded.
        var range: Range<Int>
        var scan: TextCleanerLines.Scan
        /// The line's comparison key, in `keys`.
        var key: Range<Int>
        /// Words of the key (1 when it is empty, as `BoilerplateLexicon.keyWords` counts).
        var keyWords: Int
        /// A word of the key starts one of the promotion channels: `isPromotion` may hold.
        var mayBePromotion: Bool
        /// Some menu item of the line may be furniture by itself (its key's first word starts
        /// a navigation item or a furniture phrase, or the key starts with a leading phrase,
        /// or it has no key at all): `isNavigation` may hold. Contained phrases are the
        /// caller's to check, on the line's key.
        var mayHoldFurnitureItem: Bool
        /// One of `BoilerplateLexicon`'s contained phrases may occur in the key: four letters
        /// of one of its Arabic phrases follow each other in a word, or the key holds Latin
        /// letters (or other non-Arabic letters), which the others have.
        var mayHoldContainedPhrase: Bool
        /// The line holds an Arabic or Latin letter (false: not known).
        var containsLetter: Bool
        /// `ArabicNormalizer.normalize` (this scanner's display options) gives the collapsed
        /// line back unchanged.
        var isDisplayForm: Bool
        /// The line's folded form (the first folding pass of `ArabicNormalizer.fold(display:)`
        /// on the line alone), in `folded(_:)`: set for collapsed lines in display form whose
        /// every scalar the scanner's fold tables handle, nil for the others.
        var folded: Range<Int>?
        /// The folded form may hold a mojibake signature: one of its scalars is
        /// `FoldBits.unusualScalar` (and a signature needs one; the letters that can lead one,
        /// ط ظ ع غ, are too common to be worth noting).
        var foldedMayHoldMojibake: Bool
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let tables: TextCleanerScanTables
    private var position = 0
    /// Every line's key, one after another; grown as needed.
    private var keyBytes: UnsafeMutablePointer<UInt8>
    private var keyCapacity: Int
    private var keyCount = 0
    /// Every line's folded form, one after another (never longer than the line).
    private let foldBytes: UnsafeMutablePointer<UInt8>
    private var foldCount = 0

    private let writesFold: Bool

    /// - Parameter writesFold: write each line's folded form (`Line.folded`); without it, no
    ///   line has one.
    init(_ bytes: UnsafeBufferPointer<UInt8>, tables: TextCleanerScanTables, writesFold: Bool = false) {
        self.writesFold = writesFold
        self.bytes = bytes
        self.tables = tables
        // ASCII and Arabic-block scalars never give more key bytes than they take up, so the
        // document's length is room enough unless other scalars lower-case to longer forms.
        keyCapacity = bytes.count + 16
        keyBytes = .allocate(capacity: keyCapacity)
        // +16: a scalar's fold is stored four bytes at a time.
        foldBytes = .allocate(capacity: writesFold ? bytes.count + 16 : 1)
    }

    deinit {
        keyBytes.deallocate()
        foldBytes.deallocate()
    }

    /// The folded form of a line this scanner returned (`Line.folded`).
    func folded(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: foldBytes + range.lowerBound, count: range.count)
    }

    /// The key of a line this scanner returned (`Line.key`).
    func key(of range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: keyBytes + range.lowerBound, count: range.count)
    }

    /// The next non-blank line, or nil at the end of the text.
    mutating func nextLine() -> Line? {
        guard let base = bytes.baseAddress else { return nil }
        return tables.withBuffers { buffers in
            while position < bytes.count {
                var line = LineScan(
                    base: base, count: bytes.count, start: position, key: keyBytes, keyCapacity: keyCapacity, keyStart: keyCount,
                    fold: foldBytes, foldStart: foldCount, writesFold: writesFold, tables: tables, buffers: buffers
                )
                if writesFold { line.run(WritingFold.self) } else { line.run(SkippingFold.self) }
                keyBytes = line.key
                keyCapacity = line.keyCapacity
                position = line.nextLineStart
                if let scanned = line.finish() {
                    keyCount = scanned.key.upperBound
                    foldCount = line.foldWritten
                    return scanned
                }
            }
            return nil
        }
    }
}

/// How `LineScan.run` writes fold entries: compiled once each way, so a scan that does not
/// write the fold pays nothing for it.
protocol FoldWriting {
    /// Writes a fold entry's bytes (`TextCleanerScanTables.FoldBits`) at `cursor` and moves it
    /// past them.
    static func write(_ entry: UInt64, to cursor: inout UnsafeMutablePointer<UInt8>)
}

enum WritingFold: FoldWriting {
    @inline(__always)
    static func write(_ entry: UInt64, to cursor: inout UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(cursor).storeBytes(of: UInt32(truncatingIfNeeded: entry >> 32).littleEndian, as: UInt32.self)
        cursor += Int(truncatingIfNeeded: entry >> TextCleanerScanTables.FoldBits.lengthShift) & 3
    }
}

enum SkippingFold: FoldWriting {
    @inline(__always)
    static func write(_ entry: UInt64, to cursor: inout UnsafeMutablePointer<UInt8>) {}
}

/// The scan of one line: its state in a value the optimizer can keep in registers, the flags in
/// one word.
private struct LineScan {
    let base: UnsafePointer<UInt8>
    let count: Int
    let start: Int
    let tables: TextCleanerScanTables
    let buffers: TextCleanerScanTables.Buffers
    var index: Int
    var lineEnd: Int
    var nextLineStart: Int

    var facts = TextCleanerLines.Scan()
    var flags: UInt32 = Flag.atStart | Flag.isDisplayForm | Flag.itemAwaitingKey
    /// Combining class of the last mark after the current starter.
    var markClass: UInt8 = 0

    var key: UnsafeMutablePointer<UInt8>
    var keyCapacity: Int
    let keyStart: Int
    var written: Int
    var keyWordStart: Int
    var keyWords = 0
    /// The key bytes of the last four Arabic scalars of the current key word.
    var window: UInt64 = 0

    let fold: UnsafeMutablePointer<UInt8>
    let writesFold: Bool
    let foldStart: Int
    var foldWritten: Int
    /// Every fold entry written on the line, or-ed together: their `FoldBits`.
    var foldSeen: UInt64 = 0

    enum Flag {
        static let previousWasSpace: UInt32 = 1 << 0
        static let atStart: UInt32 = 1 << 1
        static let inWord: UInt32 = 1 << 2
        static let inLetteredWord: UInt32 = 1 << 3
        /// In a run of two or more spaces.
        static let inRun: UInt32 = 1 << 4
        /// A key separator was passed: the next key content starts a new key word.
        static let keyPendingSpace: UInt32 = 1 << 5
        /// Menu items start at the line's start, after an item separator and after a run of
        /// spaces; set until the item's first key word is written.
        static let itemAwaitingKey: UInt32 = 1 << 6
        static let itemHasWord: UInt32 = 1 << 7
        static let currentWordStartsItem: UInt32 = 1 << 8
        static let mayHoldFurnitureItem: UInt32 = 1 << 9
        static let mayBePromotion: UInt32 = 1 << 10
        static let isDisplayForm: UInt32 = 1 << 11
        static let mayHoldContainedPhrase: UInt32 = 1 << 12
        /// An Arabic or Latin letter was seen (not every one is noted: a hint, not a count).
        static let sawLetter: UInt32 = 1 << 13
    }

    init(
        base: UnsafePointer<UInt8>, count: Int, start: Int, key: UnsafeMutablePointer<UInt8>, keyCapacity: Int, keyStart: Int,
        fold: UnsafeMutablePointer<UInt8>, foldStart: Int, writesFold: Bool, tables: TextCleanerScanTables,
        buffers: TextCleanerScanTables.Buffers
    ) {
        self.base = base
        self.buffers = buffers
        self.count = count
        self.start = start
        self.tables = tables
        index = start
        lineEnd = count
        nextLineStart = count
        self.key = key
        self.keyCapacity = keyCapacity
        self.keyStart = keyStart
        written = keyStart
        keyWordStart = keyStart
        self.fold = fold
        self.writesFold = writesFold
        self.foldStart = foldStart
        foldWritten = foldStart
    }

    /// Scans to the end of the line. The scalars inside words and the spaces between them,
    /// nearly all of a text, are handled on local copies of the state they change, which stay
    /// in registers; everything else goes through `step`, on the fields.
    mutating func run<Fold: FoldWriting>(_: Fold.Type) {
        typealias ArabicScalar = TextCleanerScanTables.ArabicScalar
        // Pointers rather than base-and-index pairs, the mark class in the flags' top byte, the
        // mojibake option in the table, and the letters of a word in a loop of their own: few
        // enough values that what that loop carries from one letter to the next stays in
        // registers.
        let arabic = buffers.arabic.baseAddress!
        let phraseWindows = buffers.phraseWindows.baseAddress!
        let end = base + count
        var cursor = base + index
        var keyCursor = key + written
        var foldCursor = fold + foldWritten
        var window = window
        var flags = flags | UInt32(markClass) << Self.markClassShift
        var phraseWindowHits: UInt64 = 0
        while cursor < end {
            let byte = cursor[0]
            if byte &- 0xD8 < 4 {
                // U+0600–06FF, two bytes.
                var scalar = arabic[Int(byte &- 0xD8) << 6 | Int(cursor[1] & 0x3F)]
                var startsLetters = false
                if flags & (Flag.inLetteredWord | Flag.keyPendingSpace) == Flag.inLetteredWord {
                    // Inside a lettered word, with its key word open.
                    if scalar.flags & ArabicScalar.continuesWord != 0 {
                        startsLetters = true
                    } else if scalar.display == ArabicScalar.orderedMark {
                        // Dropped by the fold (or left to the general fold). Not `dropped`
                        // for the line: its word already wrote fold bytes (the letter that
                        // made it a lettered word), or that letter was dropped and said so,
                        // so no space can end up next to another for it.
                        foldSeen |= scalar.fold & ~TextCleanerScanTables.FoldBits.dropped
                        let combiningClass = UInt32(scalar.combiningClass)
                        if combiningClass < flags >> Self.markClassShift { flags &= ~Flag.isDisplayForm }
                        flags = flags & Self.withoutMarkClass | combiningClass << Self.markClassShift
                        cursor += 2
                        continue
                    }
                } else if flags & (Flag.previousWasSpace | Flag.inRun) == Flag.previousWasSpace
                    && scalar.flags & (ArabicScalar.continuesWord | ArabicScalar.letter) == ArabicScalar.continuesWord | ArabicScalar.letter
                {
                    // A letter after one space: the next word starts (as `arabicScalar` has it).
                    facts.words &+= 1
                    facts.letteredWords &+= 1
                    flags = flags & ~(Flag.previousWasSpace | Flag.atStart | Flag.keyPendingSpace)
                        | Flag.inWord | Flag.inLetteredWord | Flag.itemHasWord | Flag.sawLetter
                    let written = keyCursor - key
                    if written > keyStart {
                        // The key word before it is complete.
                        let length = written &- keyWordStart
                        if let check = Self.keyWordCheck(key + keyWordStart, length, flags: &flags, buffers.wordSignatures) {
                            self.flags = flags
                            checkKeyWord(length: length, candidate: check.candidate, startsItem: check.startsItem)
                            flags = self.flags
                        }
                        keyCursor[0] = 0x20
                        keyCursor += 1
                    }
                    keyWordStart = keyCursor - key
                    keyWords &+= 1
                    if flags & Flag.itemAwaitingKey != 0 { flags = flags & ~Flag.itemAwaitingKey | Flag.currentWordStartsItem }
                    window = 0
                    startsLetters = true
                }
                if startsLetters {
                    // The letters of the word from here (nearly all of a text): their key and
                    // fold bytes and the phrase window, nothing else.
                    while true {
                        Self.writeKey(of: scalar, to: keyCursor)
                        keyCursor += 2
                        // A letter that continues a word needs nothing of the fold but its
                        // bytes (`continuesWord`).
                        Fold.write(scalar.fold, to: &foldCursor)
                        window = window << 16 | UInt64(scalar.key)
                        // Gathered apart from `flags`: nothing waits for this load.
                        phraseWindowHits |= Self.phraseWindowHit(window, phraseWindows)
                        cursor += 2
                        guard cursor < end, cursor[0] &- 0xD8 < 4 else { break }
                        scalar = arabic[Int(cursor[0] &- 0xD8) << 6 | Int(cursor[1] & 0x3F)]
                        guard scalar.flags & ArabicScalar.continuesWord != 0 else { break }
                    }
                    // Only the run's last letter can start a mojibake signature: a letter of
                    // U+0621–0678 after ط ظ ع غ rules one out, and the run's letters are all
                    // of them (`continuesWord`).
                    let last = arabic[Int(cursor[-2] &- 0xD8) << 6 | Int(cursor[-1] & 0x3F)]
                    if last.display == ArabicScalar.mojibakeLead && Self.startsMojibakeSignature(at: cursor - 2, end: end) {
                        flags &= ~Flag.isDisplayForm
                    }
                    flags &= Self.withoutMarkClass
                    continue
                }
            } else if byte == 0x20 {
                if flags & (Flag.previousWasSpace | Flag.atStart) != 0 { facts.isCollapsed = false }
                Self.space(flags: &flags, facts: &facts)
                flags &= Self.withoutMarkClass
                Fold.write(TextCleanerScanTables.FoldBits.space, to: &foldCursor)
                cursor += 1
                continue
            }
            index = cursor - base
            written = keyCursor - key
            foldWritten = foldCursor - fold
            (self.window, self.flags, self.markClass) = (window, flags & Self.withoutMarkClass, UInt8(flags >> Self.markClassShift))
            let endsLine = step()
            // `step` may have moved the key to a larger buffer.
            cursor = base + index
            keyCursor = key + written
            foldCursor = fold + foldWritten
            (window, flags) = (self.window, self.flags | UInt32(self.markClass) << Self.markClassShift)
            if endsLine { break }
        }
        if phraseWindowHits != 0 { flags |= Flag.mayHoldContainedPhrase }
        index = cursor - base
        written = keyCursor - key
        foldWritten = foldCursor - fold
        (self.window, self.flags, self.markClass) = (window, flags & Self.withoutMarkClass, UInt8(flags >> Self.markClassShift))
    }

    /// Outside `run`'s loops: its fold bytes when the scan writes the fold, and its bits.
    @inline(__always)
    private mutating func writeFold(_ entry: UInt64) {
        guard writesFold else { return }
        var cursor = fold + foldWritten
        WritingFold.write(entry, to: &cursor)
        foldWritten = cursor - fold
        foldSeen |= entry
    }

    /// Where `run` keeps the mark class in its copy of `flags` (the flags use the low 16 bits).
    private static let markClassShift: UInt32 = 24
    private static let withoutMarkClass: UInt32 = (1 << markClassShift) - 1

    /// Whether ط ظ ع غ at `position` starts a mojibake signature (the display pass would
    /// repair it; the table marks them `mojibakeLead` only when the options repair mojibake).
    /// Nearly always a letter or a space follows, which rules a signature out here, inline.
    @inline(__always)
    private static func startsMojibakeSignature(at position: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Bool {
        if end - position > 3 {
            let (lead, second) = (position[2], position[3])
            if lead < 0x80 || (lead == 0xD8 && second >= 0xA1) || (lead == 0xD9 && second <= 0xB8) { return false }
        }
        return signatureOutOfLine(at: position, end: end)
    }

    @inline(never)
    private static func signatureOutOfLine(at position: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Bool {
        // `MojibakeRepair.signature` reads nothing before `index`.
        MojibakeRepair.signature(position, end - position, at: 0)
    }

    /// The scalar at `index` when it is not inside a word's run of letters, nor a space;
    /// moves `index` past it. Returns true at a line break (the line ends before it).
    @inline(never)
    private mutating func step() -> Bool {
        let byte = base[index]
        if byte &- 0xD8 < 4 {
            let scalar = buffers.arabic[Int(byte &- 0xD8) << 6 | Int(base[index &+ 1] & 0x3F)]
            arabicScalar(scalar)
            writeFold(scalar.fold)
            index &+= 2
            return false
        }
        if byte < 0x80 {
            if byte &- 0x0A < 4 {
                lineEnd = index
                nextLineStart = index &+ 1
                return true
            }
            if byte == 0x09 {
                facts.isCollapsed = false
                space()
            } else {
                asciiWordCharacter(byte, keyByte: buffers.asciiKey[Int(byte)])
                writeFold(buffers.asciiFold[Int(byte)])
            }
            index &+= 1
            return false
        }
        if byte < 0xC0 {
            index &+= 1  // not reached on valid UTF-8 (continuation bytes follow their lead)
            return false
        }
        return otherScalarEndsLine()
    }

    /// The line as the scanner reports it, its last key word and item closed; nil when it is
    /// blank.
    mutating func finish() -> TextCleanerLineScanner.Line? {
        guard facts.words > 0 else { return nil }
        if flags & Flag.previousWasSpace != 0 { facts.isCollapsed = false }
        if flags & (Flag.itemAwaitingKey | Flag.itemHasWord) == Flag.itemAwaitingKey | Flag.itemHasWord {
            // The last item has words but no key (punctuation, symbols): furniture to
            // `BoilerplateLexicon.isBoilerplate`.
            flags |= Flag.mayHoldFurnitureItem
        }
        endKeyWord()
        typealias FoldBits = TextCleanerScanTables.FoldBits
        // Whitespace aside (the collapsed line has plain single spaces where the line has
        // runs or other spaces, which the display pass treats alike), every scalar stays.
        let isDisplayForm = flags & Flag.isDisplayForm != 0
        var folded: Range<Int>? = foldStart..<foldWritten
        if !writesFold || !isDisplayForm || !facts.isCollapsed || foldSeen & FoldBits.leftToTheGeneralFold != 0 {
            folded = nil
        } else if foldSeen & FoldBits.dropped != 0,
            let run = FoldingFastPath.firstSeparatorRun(fold + foldStart, count: foldWritten - foldStart)
        {
            // A dropped scalar left two spaces in a row, or one at an end: collapsed as the
            // general fold does it.
            foldWritten = foldStart + FoldingFastPath.collapseSeparators(fold + foldStart, count: foldWritten - foldStart, from: run)
            folded = foldStart..<foldWritten
        }
        if folded == nil { foldWritten = foldStart }
        return TextCleanerLineScanner.Line(
            range: start..<lineEnd, scan: facts, key: keyStart..<written, keyWords: max(keyWords, 1),
            mayBePromotion: flags & Flag.mayBePromotion != 0,
            mayHoldFurnitureItem: flags & Flag.mayHoldFurnitureItem != 0,
            mayHoldContainedPhrase: flags & Flag.mayHoldContainedPhrase != 0,
            containsLetter: flags & Flag.sawLetter != 0,
            isDisplayForm: isDisplayForm, folded: folded, foldedMayHoldMojibake: foldSeen & FoldBits.unusualScalar != 0
        )
    }

    /// The checks on the key word `key[keyWordStart..<written]`, once it is complete: one
    /// table read for most words.
    @inline(__always)
    private mutating func endKeyWord() {
        let length = written &- keyWordStart
        guard length > 0, let check = Self.keyWordCheck(key + keyWordStart, length, flags: &flags, buffers.wordSignatures) else {
            return
        }
        checkKeyWord(length: length, candidate: check.candidate, startsItem: check.startsItem)
    }

    /// Takes `currentWordStartsItem` out of `flags` for the completed key word at `word`; what
    /// `checkKeyWord` needs when the word's signature is a candidate's or it starts an item,
    /// nil otherwise (most words). On whatever holds the flags (the field, or `run`'s copy).
    @inline(__always)
    private static func keyWordCheck(
        _ word: UnsafePointer<UInt8>, _ length: Int, flags: inout UInt32, _ wordSignatures: UnsafeBufferPointer<UInt8>
    ) -> (candidate: UInt8, startsItem: Bool)? {
        let startsItem = flags & Flag.currentWordStartsItem != 0
        flags &= ~Flag.currentWordStartsItem
        let candidate = WordSignature.entry(wordSignatures.baseAddress!, WordSignature.of(word, length))
        return candidate != 0 || startsItem ? (candidate, startsItem) : nil
    }

    /// Writes the two key bytes of an Arabic-block scalar that has some at `destination`.
    @inline(__always)
    private static func writeKey(of scalar: TextCleanerScanTables.ArabicScalar, to destination: UnsafeMutablePointer<UInt8>) {
        destination[0] = UInt8(truncatingIfNeeded: scalar.key >> 8)
        destination[1] = UInt8(truncatingIfNeeded: scalar.key)
    }

    /// The bit of `phraseWindows` for the last four letters of the key word, 0 when unset.
    @inline(__always)
    private static func phraseWindowHit(_ window: UInt64, _ phraseWindows: UnsafePointer<UInt64>) -> UInt64 {
        let slot = TextCleanerScanTables.phraseWindowSlot(window)
        return phraseWindows[slot >> 6] & (1 << UInt64(slot & 63))
    }

    @inline(never)
    private mutating func checkKeyWord(length: Int, candidate: UInt8, startsItem: Bool) {
        let word = UnsafeBufferPointer(start: key + keyWordStart, count: length)
        if candidate & TextCleanerScanTables.promotionChannelWord != 0 && tables.promotionChannelFirstWords.contains(word) {
            flags |= Flag.mayBePromotion
        }
        // The first key word of a menu item: the item may be furniture if it starts a
        // navigation item or a furniture phrase, or starts with a leading phrase.
        if startsItem
            && ((candidate & TextCleanerScanTables.furnitureItemWord != 0 && tables.furnitureItemFirstWords.contains(word))
                || (TextCleanerScanTables.mayStartOneWordLeadingPhrase(word, buffers.leadingPhraseStarts.baseAddress!)
                    && tables.startsWithOneWordLeadingPhrase(word)))
        {
            flags |= Flag.mayHoldFurnitureItem
        }
    }

    /// Before key content: the owed space (ending the key word before it) and a word start.
    @inline(__always)
    private mutating func beginKeyContent() {
        guard flags & Flag.keyPendingSpace != 0 || written == keyStart else { return }
        if written > keyStart {
            endKeyWord()
            key[written] = 0x20
            written &+= 1
        }
        flags &= ~Flag.keyPendingSpace
        keyWordStart = written
        keyWords &+= 1
        window = 0
        if flags & Flag.itemAwaitingKey != 0 {
            flags = flags & ~Flag.itemAwaitingKey | Flag.currentWordStartsItem
        }
    }

    /// An item separator or the end of a run of spaces: the next key word starts an item.
    @inline(__always)
    private mutating func beginItem() {
        if flags & (Flag.itemAwaitingKey | Flag.itemHasWord) == Flag.itemAwaitingKey | Flag.itemHasWord {
            // An item with words but no key (punctuation, symbols) is furniture to
            // `BoilerplateLexicon.isBoilerplate`.
            flags |= Flag.mayHoldFurnitureItem
        }
        flags = flags & ~Flag.itemHasWord | Flag.itemAwaitingKey | Flag.keyPendingSpace
    }

    /// A word character: ends a run of spaces (an item boundary when two or more).
    @inline(__always)
    private mutating func wordCharacter() {
        if flags & Flag.inRun != 0 { beginItem() }
        if flags & Flag.inWord == 0 { facts.words &+= 1 }
        flags = flags & ~(Flag.previousWasSpace | Flag.inRun | Flag.atStart) | Flag.inWord
    }

    @inline(__always)
    private mutating func letter() {
        if flags & Flag.inLetteredWord == 0 {
            facts.letteredWords &+= 1
            flags |= Flag.inLetteredWord
        }
    }

    @inline(__always)
    private mutating func space() {
        Self.space(flags: &flags, facts: &facts)
        markClass = 0
    }

    /// A space: ends the word; a second in a row starts a run (the caller clears the mark
    /// class). On whatever holds the state (the fields, or `run`'s copies of them).
    @inline(__always)
    private static func space(flags: inout UInt32, facts: inout TextCleanerLines.Scan) {
        if flags & (Flag.previousWasSpace | Flag.inRun) == Flag.previousWasSpace {
            flags |= Flag.inRun
            facts.hasWhitespaceRun = true
            facts.whitespaceRuns &+= 1
        }
        flags = flags & ~(Flag.inWord | Flag.inLetteredWord) | Flag.previousWasSpace | Flag.keyPendingSpace
    }

    /// A scalar of U+0600–06FF anywhere but inside a lettered word's open key word.
    @inline(__always)
    private mutating func arabicScalar(_ scalar: TextCleanerScanTables.ArabicScalar) {
        typealias ArabicScalar = TextCleanerScanTables.ArabicScalar
        let startsWord = flags & Flag.inWord == 0
        wordCharacter()
        if scalar.flags & ArabicScalar.letter != 0 {
            letter()
            flags |= Flag.sawLetter
        }
        if scalar.flags & ArabicScalar.itemSeparator != 0 {
            facts.hasItemSeparator = true
            beginItem()
        } else {
            flags |= Flag.itemHasWord
        }
        if scalar.key > 1 {
            beginKeyContent()
            Self.writeKey(of: scalar, to: key + written)
            written &+= 2
            window = window << 16 | UInt64(scalar.key)
            if Self.phraseWindowHit(window, buffers.phraseWindows.baseAddress!) != 0 { flags |= Flag.mayHoldContainedPhrase }
        } else if scalar.key == 1 {
            flags |= Flag.keyPendingSpace
        }
        switch scalar.display {
        case ArabicScalar.keep:
            markClass = 0
        case ArabicScalar.orderedMark:
            if scalar.combiningClass < markClass { flags &= ~Flag.isDisplayForm }
            markClass = scalar.combiningClass
        case ArabicScalar.mojibakeLead:
            markClass = 0
            if Self.startsMojibakeSignature(at: base + index, end: base + count) { flags &= ~Flag.isDisplayForm }
        case ArabicScalar.tatweel:
            markClass = 0
            if !startsWord { flags &= ~Flag.isDisplayForm }
        default:
            flags &= ~Flag.isDisplayForm
        }
    }

    /// A printable or control ASCII byte other than a space or line break.
    @inline(__always)
    private mutating func asciiWordCharacter(_ byte: UInt8, keyByte: UInt8) {
        wordCharacter()
        markClass = 0
        if byte < 0x20 || byte == 0x7F { flags &= ~Flag.isDisplayForm }
        switch byte {
        case UInt8(ascii: "["):
            facts.hasBracket = true
            flags |= Flag.itemHasWord
        case UInt8(ascii: "|"), UInt8(ascii: "-"), UInt8(ascii: ","):
            facts.hasItemSeparator = true
            beginItem()
        case UInt8(ascii: "/"):
            // Kept in the key, yet an item separator: the item after it starts inside a key
            // word, where the word checks do not look.
            facts.hasItemSeparator = true
            flags |= Flag.mayHoldFurnitureItem | Flag.itemHasWord
        case 0x30...0x39:
            letter()
            flags |= Flag.itemHasWord
        case 0x41...0x5A, 0x61...0x7A:
            letter()
            flags |= Flag.itemHasWord | Flag.sawLetter
        default:
            flags |= Flag.itemHasWord
        }
        if keyByte == 0 {
            flags |= Flag.keyPendingSpace
        } else {
            beginKeyContent()
            key[written] = keyByte
            written &+= 1
            window = 0
            // The contained phrases without Arabic letters all have Latin ones.
            if keyByte &- 0x61 < 26 { flags |= Flag.mayHoldContainedPhrase }
        }
    }

    /// A scalar of two, three or four bytes outside U+0600–06FF (rare in Arabic text), at
    /// `index`; returns true when it is a line break (and the line ends before it).
    private mutating func otherScalarEndsLine() -> Bool {
        let bytes = UnsafeBufferPointer(start: base, count: count)
        let byte = base[index]
        let length = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        if TextCleanerLines.isNewline(bytes, at: index) {
            lineEnd = index
            nextLineStart = index &+ length
            return true
        }
        markClass = 0
        writeFold(tables.foldEntry(bytes, at: index, length: length))
        if TextCleanerLines.spaceLength(bytes, at: index) > 0 {
            // Not in the collapsed line, whose display form `isDisplayForm` is about.
            facts.isCollapsed = false
            space()
            index &+= length
            return false
        }
        wordCharacter()
        if TextCleanerLines.itemSeparatorLength(bytes, at: index) > 0 {
            facts.hasItemSeparator = true
            beginItem()
        } else {
            flags |= Flag.itemHasWord
        }
        if flags & Flag.isDisplayForm != 0 && !tables.isKeptByDisplay(bytes, at: index) { flags &= ~Flag.isDisplayForm }
        // The scalar's own key: a lower-cased letter or number (at most 12 bytes), or nothing
        // when it separates words (punctuation, mostly: known without asking its properties).
        var scalarKey: (UInt64, UInt64) = (0, 0)
        let scalarKeyLength = tables.separatesKeyWords(bytes, at: index) ? 0 : withUnsafeMutableBytes(of: &scalarKey) { buffer in
            var length = 0
            var pendingSpace = false
            _ = BoilerplateLexicon.writeKeyOfOtherScalar(
                in: bytes, at: index, to: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), written: &length,
                pendingSpace: &pendingSpace
            )
            return length
        }
        if scalarKeyLength == 0 {
            flags |= Flag.keyPendingSpace
        } else {
            reserveKey(scalarKeyLength + 1 + (count - index))
            beginKeyContent()
            window = 0
            flags |= Flag.mayHoldContainedPhrase
            withUnsafeBytes(of: scalarKey) { buffer in
                for offset in 0..<scalarKeyLength { key[written &+ offset] = buffer[offset] }
            }
            written &+= scalarKeyLength
        }
        index &+= length
        return false
    }

    /// Room for `extra` more key bytes.
    private mutating func reserveKey(_ extra: Int) {
        guard written + extra > keyCapacity else { return }
        let newCapacity = max(written + extra + 16, keyCapacity * 2)
        let newKey = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newKey.update(from: key, count: written)
        key.deallocate()
        key = newKey
        keyCapacity = newCapacity
    }
}

/// The tables `TextCleanerLineScanner` reads, for one set of display options. Built once; the
/// default set is shared.
final class TextCleanerScanTables: Sendable {
    /// What the scanner needs to know of a scalar of U+0600–06FF.
    /// Packed in 64 bits, one load in the scanner's loop.
    struct ArabicScalar: Sendable {
        private let packed: UInt64

        init(key: UInt16, flags: UInt8, display: UInt8, combiningClass: UInt8, fold: UInt64) {
            packed = UInt64(key) | UInt64(flags) << 16 | UInt64(display) << 20 | UInt64(combiningClass) << 24
                | fold & FoldBits.entryMask
        }

        /// Its fold entry (`FoldBits`), in the upper half.
        var fold: UInt64 { packed }

        /// Its comparison-key bytes (`BoilerplateLexicon.arabicKeyBytes`: 0 dropped, 1 a separator).
        var key: UInt16 { UInt16(truncatingIfNeeded: packed) }
        /// `letter`, `itemSeparator`, `continuesWord`.
        var flags: UInt8 { UInt8(truncatingIfNeeded: packed >> 16) & 0x0F }
        /// What the display pass does with it (`keep`, `orderedMark`, `mojibakeLead`, `changes`,
        /// `tatweel`).
        var display: UInt8 { UInt8(truncatingIfNeeded: packed >> 20) & 0x0F }
        /// For `orderedMark`: its canonical combining class.
        var combiningClass: UInt8 { UInt8(truncatingIfNeeded: packed >> 24) }

        /// U+0621–063A, U+0641–064A: makes its word a lettered word.
        static let letter: UInt8 = 1
        /// The Arabic comma: separates menu items.
        static let itemSeparator: UInt8 = 2
        /// In U+0621–0678, has key bytes, the display pass keeps it (a mojibake lead after a
        /// look at what follows), the fold writes it simply (`FoldBits.needsAttention` unset),
        /// and it separates nothing: inside a word, it only adds its key and fold bytes.
        static let continuesWord: UInt8 = 4

        static let keep: UInt8 = 0
        /// A haraka (U+064B–0652): kept, and NFC leaves it alone when the marks after a letter
        /// come in canonical order (none of them composes with a letter).
        static let orderedMark: UInt8 = 1
        /// ط ظ ع غ: kept unless a mojibake signature starts here (only when the options repair
        /// mojibake; `keep` otherwise).
        static let mojibakeLead: UInt8 = 2
        /// Anything else the display pass may change (other marks, invisible marks).
        static let changes: UInt8 = 3
        /// Tatweel: kept where it starts a word (a dash: "نيسان ـ قال"), removed where it
        /// stretches one.
        static let tatweel: UInt8 = 4
    }

    /// A scalar's folded form as the scanner writes it, in the upper half of a `UInt64`: up to
    /// three bytes (bits 32–55, first byte lowest; never more than the scalar had), their count,
    /// and what the fold needs to know.
    /// A line's entries are or-ed together, so the bits say what any scalar of it needed.
    enum FoldBits {
        static let lengthShift: UInt64 = 56
        /// The general fold handles the scalar (a mark it composes, a space or line break it
        /// writes, a scalar outside the tables): the line is folded by `ArabicNormalizer`.
        static let leftToTheGeneralFold: UInt64 = 1 << 58
        /// Dropped: a space may now stand next to another.
        static let dropped: UInt64 = 1 << 59
        /// As `FoldingFastPath.Entry`: the output can follow or begin a mojibake signature.
        static let unusualScalar: UInt64 = 1 << 60
        static let signatureLead: UInt64 = 1 << 61
        /// A space's entry.
        static let space: UInt64 = 1 << lengthShift | 0x20 << 32
        /// What a line's fold must know of a scalar beyond its bytes.
        static let needsAttention = leftToTheGeneralFold | dropped | unusualScalar
        static let entryMask: UInt64 = 0xFFFF_FFFF_0000_0000

        /// The entry of the scalar `value` (U+0000–07FF or U+2000–206F) under the folding
        /// `actions`: `FoldingFastPath`'s entry, in this layout.
        static func entry(of value: UInt32, actions: ScalarActions) -> UInt64 {
            typealias FastEntry = FoldingFastPath.Entry
            let action = value < 0x80 ? actions.ascii[Int(value)]
                : value < 0x800 ? actions.twoByte[Int(value) - 0x80] : actions.generalPunctuation[Int(value) - 0x2000]
            let fast = FastEntry.make(action: action, value: value, actions: actions)
            if fast == FastEntry.drop { return dropped }
            let bytes = fast & 0xFF_FFFF
            // A space or line break written would pass for one in the collapsing; the scan
            // writes the line's own spaces itself.
            guard fast & FastEntry.slowPath == 0, bytes != 0x20, bytes != 0x0A else { return leftToTheGeneralFold }
            var entry = UInt64(bytes) << 32 | UInt64(fast >> FastEntry.lengthShift) << lengthShift
            if fast & FastEntry.unusualScalar != 0 { entry |= unusualScalar }
            if fast & FastEntry.signatureLead != 0 { entry |= signatureLead }
            return entry
        }
    }

    let arabic: [ArabicScalar]
    let asciiKey: [UInt8]
    /// `FoldBits` entries of ASCII.
    let asciiFold: [UInt64]
    /// `FoldBits` entries of U+0080–07FF, then U+2000–206F (`foldEntry`).
    private let otherFold: [UInt64]
    private let display: ScalarActions
    let detectsMojibake: Bool
    /// The tables as buffers, for the scanner's loop (no bounds or uniqueness checks).
    struct Buffers {
        var arabic: UnsafeBufferPointer<ArabicScalar>
        var asciiKey: UnsafeBufferPointer<UInt8>
        var asciiFold: UnsafeBufferPointer<UInt64>
        var phraseWindows: UnsafeBufferPointer<UInt64>
        var wordSignatures: UnsafeBufferPointer<UInt8>
        var leadingPhraseStarts: UnsafeBufferPointer<UInt64>
    }

    func withBuffers<Result>(_ body: (Buffers) -> Result) -> Result {
        arabic.withUnsafeBufferPointer { arabic in
            asciiKey.withUnsafeBufferPointer { asciiKey in
                asciiFold.withUnsafeBufferPointer { asciiFold in
                    containedPhraseWindows.withUnsafeBufferPointer { phraseWindows in
                        wordSignatures.withUnsafeBufferPointer { wordSignatures in
                            oneWordLeadingPhraseStarts.withUnsafeBufferPointer { leadingPhraseStarts in
                                body(Buffers(
                                    arabic: arabic, asciiKey: asciiKey, asciiFold: asciiFold, phraseWindows: phraseWindows,
                                    wordSignatures: wordSignatures, leadingPhraseStarts: leadingPhraseStarts
                                ))
                            }
                        }
                    }
                }
            }
        }
    }

    /// By `WordSignature`, two bits each (`WordSignature.entry`): `promotionChannelWord` and
    /// `furnitureItemWord`, set where a word of that kind has the signature.
    let wordSignatures: [UInt8]
    /// For U+0080–07FF, then U+2000–206F: the scalar has no key (`separatesKeyWords`).
    private let keySeparators: [Bool]
    static let promotionChannelWord: UInt8 = 1
    static let furnitureItemWord: UInt8 = 2
    /// The first words of the promotion channels.
    let promotionChannelFirstWords: ByteStringSet
    /// The first words of navigation items, whole-line furniture phrases and leading phrases
    /// of several words.
    let furnitureItemFirstWords: ByteStringSet
    /// `phraseWindowSlot` bits of four letters in a row (eight key bytes) from each of
    /// `BoilerplateLexicon.containedPhrases` written in Arabic: the last four of its longest
    /// word.
    let containedPhraseWindows: [UInt64]
    /// The leading phrases of one word: an item's key that starts with one may go on without
    /// a space ("©2024").
    private let oneWordLeadingPhrases: [[UInt8]]
    /// `leadingPhraseStartSlot` bits of the one-word leading phrases' first two bytes: most
    /// words miss here.
    private let oneWordLeadingPhraseStarts: [UInt64]

    static let `default` = TextCleanerScanTables(display: .defaultDisplay)

    static func shared(for options: NormalizationOptions) -> TextCleanerScanTables {
        options == .default ? .default : TextCleanerScanTables(display: .shared(for: options, folding: false))
    }

    init(display: ScalarActions) {
        self.display = display
        detectsMojibake = display.options.repairMojibake
        asciiKey = BoilerplateLexicon.asciiKeyBytes
        let folding = ScalarActions.shared(for: display.options, folding: true)
        asciiFold = (0..<0x80).map { FoldBits.entry(of: $0, actions: folding) }
        otherFold = (Array(0x80..<0x800) + Array(0x2000..<0x2070)).map { FoldBits.entry(of: $0, actions: folding) }
        let arabicKey = BoilerplateLexicon.arabicKeyBytes
        arabic = (0..<256).map { slot in
            let value = 0x0600 + UInt32(slot)
            var flags: UInt8 = 0
            if (0x0621...0x063A).contains(value) || (0x0641...0x064A).contains(value) { flags |= ArabicScalar.letter }
            if value == 0x060C { flags |= ArabicScalar.itemSeparator }
            let action = display.twoByte[Int(value - 0x80)]
            var kind = ArabicScalar.changes
            var combiningClass: UInt8 = 0
            if action == 0 {
                kind = ArabicScalar.keep
            } else if action == ScalarAction.keepMojibakeLead {
                kind = ArabicScalar.mojibakeLead
            } else if ScalarAction.kind(action) == .tatweel {
                kind = ArabicScalar.tatweel
            } else if ScalarAction.kind(action) == .arabicMark && (0x064B...0x0652).contains(value) {
                kind = ArabicScalar.orderedMark
                combiningClass = UInt8(ScalarAction.payload(action))
            }
            let fold = FoldBits.entry(of: value, actions: folding)
            if arabicKey[slot] > 1 && (kind == ArabicScalar.keep || kind == ArabicScalar.mojibakeLead)
                && flags & ArabicScalar.itemSeparator == 0 && fold & FoldBits.needsAttention == 0 && (0x0621...0x0678).contains(value)
            {
                flags |= ArabicScalar.continuesWord
            }
            return ArabicScalar(
                key: arabicKey[slot], flags: flags, display: kind, combiningClass: combiningClass,
                fold: fold
            )
        }
        func firstWord(_ key: [UInt8]) -> [UInt8] { Array(key.prefix { $0 != 0x20 }) }
        let channelWords = TextCleanerRules.promotionChannelKeys.map(firstWord)
        let leadingPhrases = BoilerplateLexicon.leadingPhrases
        oneWordLeadingPhrases = leadingPhrases.filter { !$0.contains(0x20) }
        var oneWordLeadingPhraseStarts = [UInt64](repeating: 0, count: 16)
        for phrase in oneWordLeadingPhrases {
            precondition(phrase.count >= 2, "leading phrases are at least two bytes")
            let slot = Self.leadingPhraseStartSlot(phrase[0], phrase[1])
            oneWordLeadingPhraseStarts[slot >> 6] |= 1 << UInt64(slot & 63)
        }
        self.oneWordLeadingPhraseStarts = oneWordLeadingPhraseStarts
        // A phrase of several words starts the item's key: its first word is the item's.
        let itemWords = (TextCleanerRules.furnitureItemKeys + leadingPhrases.filter { $0.contains(0x20) }).map(firstWord)
        promotionChannelFirstWords = ByteStringSet(channelWords)
        furnitureItemFirstWords = ByteStringSet(itemWords)
        var wordSignatures = [UInt8](repeating: 0, count: 1 << (WordSignature.bits - 2))
        for (words, bit) in [(channelWords, Self.promotionChannelWord), (itemWords, Self.furnitureItemWord)] {
            for word in words where !word.isEmpty {
                let signature = word.withUnsafeBufferPointer { WordSignature.of($0.baseAddress!, $0.count) }
                wordSignatures[signature >> 2] |= bit << UInt8((signature & 3) << 1)
            }
        }
        self.wordSignatures = wordSignatures
        keySeparators = (Array(0x80..<0x800) + Array(0x2000..<0x2070)).map { (value: UInt32) in
            guard let scalar = Unicode.Scalar(value) else { return false }
            let properties = scalar.properties
            return !(properties.isAlphabetic || properties.numericType != nil || value == 0xA9)
        }
        var containedPhraseWindows = [UInt64](repeating: 0, count: 1024)
        for phrase in BoilerplateLexicon.containedPhrases {
            if phrase.contains(where: { $0 &- 0x61 < 26 }) { continue }  // found through its Latin letters
            let longestWord = phrase.split(separator: 0x20).max { $0.count < $1.count } ?? []
            precondition(
                longestWord.count >= 8 && longestWord.allSatisfy { $0 >= 0x80 },
                "contained phrases without Latin letters have a word of four Arabic letters"
            )
            let window = longestWord.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let slot = Self.phraseWindowSlot(window)
            containedPhraseWindows[slot >> 6] |= 1 << UInt64(slot & 63)
        }
        self.containedPhraseWindows = containedPhraseWindows
    }

    /// 16 bits of a window of eight key bytes.
    @inline(__always)
    static func phraseWindowSlot(_ window: UInt64) -> Int { Int(truncatingIfNeeded: (window &* 0x9E37_79B9_7F4A_7C15) >> 48) }

    /// Whether the key word starts with a leading phrase of one word (after
    /// `mayStartOneWordLeadingPhrase`, which rules most words out).
    func startsWithOneWordLeadingPhrase(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        oneWordLeadingPhrases.contains { phrase in
            phrase.count <= word.count && phrase.withUnsafeBufferPointer { $0.elementsEqual(word.prefix(phrase.count)) }
        }
    }

    /// Whether `word` may start with a one-word leading phrase, by its first two bytes in
    /// `starts` (`oneWordLeadingPhraseStarts`): false for most words, before any phrase is
    /// compared.
    @inline(__always)
    static func mayStartOneWordLeadingPhrase(_ word: UnsafeBufferPointer<UInt8>, _ starts: UnsafePointer<UInt64>) -> Bool {
        guard word.count >= 2 else { return false }
        let slot = leadingPhraseStartSlot(word[0], word[1])
        return starts[slot >> 6] & (1 << UInt64(slot & 63)) != 0
    }

    /// 10 bits of a word's first two bytes.
    @inline(__always)
    private static func leadingPhraseStartSlot(_ first: UInt8, _ second: UInt8) -> Int {
        Int(truncatingIfNeeded: ((UInt32(first) << 8 | UInt32(second)) &* 0x9E37_79B1) >> 22)
    }

    /// Whether the comparison key has nothing for the scalar at `index` (of two or three
    /// bytes, outside U+0600–06FF) but a word break, as `BoilerplateLexicon.writeKeyOfOtherScalar`
    /// finds: answered from a table for U+0080–07FF and U+2000–206F (punctuation of news text).
    func separatesKeyWords(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let lead = bytes[index]
        if lead < 0xE0 {
            return keySeparators[Int((UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)) - 0x80)]
        }
        guard lead == 0xE2, bytes[index + 1] & 0xFE == 0x80 else { return false }
        let value = UInt32(0x0F & lead) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
        return value < 0x2070 && keySeparators[0x780 + Int(value - 0x2000)]
    }

    /// The fold entry of the scalar of `length` bytes at `index` (outside ASCII and
    /// U+0600–06FF): from the table for U+0080–07FF and U+2000–206F, `leftToTheGeneralFold`
    /// for the rest.
    func foldEntry(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> UInt64 {
        let lead = bytes[index]
        if length == 2 { return otherFold[Int((UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)) - 0x80)] }
        guard length == 3, lead == 0xE2, bytes[index + 1] & 0xFE == 0x80 else { return FoldBits.leftToTheGeneralFold }
        let value = UInt32(0x0F & lead) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
        return value < 0x2070 ? otherFold[0x780 + Int(value - 0x2000)] : FoldBits.leftToTheGeneralFold
    }

    /// Whether the display pass keeps the scalar at `index` (outside ASCII and U+0600–06FF)
    /// as it is.
    func isKeptByDisplay(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let (decoded, length) = UTF8Bytes.scalar(in: bytes, at: index)
        guard let scalar = decoded else { return false }
        let value = scalar.value
        let action = length == 2 ? display.twoByte[Int(value - 0x80)] : display.wideAction(value)
        if action == ScalarAction.keepMojibakeLead {
            return !(detectsMojibake && MojibakeRepair.signature(bytes.baseAddress!, bytes.count, at: index))
        }
        return action == 0
    }
}

/// A word's length and five of its bytes (the first two, the middle one and the last and
/// third to last) mixed into 14 bits: a cheap stand-in for the word when asking whether it may
/// be one of a few. Arabic words take two bytes a letter, and the lexicon's words share their
/// first bytes ("ال"), so the first, middle and last letters are what tell them apart.
enum WordSignature {
    static let bits = 14

    @inline(__always)
    static func of(_ word: UnsafePointer<UInt8>, _ length: Int) -> Int {
        guard length > 0 else { return 0 }
        let last = length &- 1
        let second = UInt64(word[min(1, last)])
        let middle = UInt64(word[min(last, length >> 1 | 1)])
        let thirdToLast = UInt64(word[max(last &- 2, 0)])
        let mixed = UInt64(truncatingIfNeeded: length) | UInt64(word[0]) << 8 | second << 16 | middle << 24
            | thirdToLast << 32 | UInt64(word[last]) << 40
        return Int(truncatingIfNeeded: (mixed &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    /// The two bits of a table of `TextCleanerScanTables.wordSignatures` for `signature`
    /// (four signatures a byte).
    @inline(__always)
    static func entry(_ table: UnsafePointer<UInt8>, _ signature: Int) -> UInt8 {
        (table[signature >> 2] >> UInt8(truncatingIfNeeded: (signature & 3) << 1)) & 3
    }
}

/// The cleaner's line scan alone, for `khabar normalize-benchmark --only scan` (the scan is
/// the part of line cleaning that reads every byte).
@_spi(Benchmark) public enum LineScanBenchmark {
    /// Scans `text` with the default tables; returns its lines plus their key bytes, so the
    /// work is not optimized away.
    public static func scan(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = TextCleanerLineScanner(bytes, tables: .default)
            var total = 0
            while let line = scanner.nextLine() { total &+= 1 &+ line.key.count }
            return total
        }
    }
}
