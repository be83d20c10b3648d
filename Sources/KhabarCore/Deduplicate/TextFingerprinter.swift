import Crypto

/// What deduplication knows about one text: the exact content hash and, for texts long enough,
/// the MinHash signature and its LSH band keys.
public struct TextFingerprint: Sendable, Hashable {
    /// Hex SHA-256 of the folded text with its words joined by single spaces (`contentHash`).
    public let contentHash: String
    /// Words of the folded text.
    public let wordCount: Int
    /// Distinct shingles of the text, 0 without a signature (for containment estimates).
    public let shingleCount: Int
    /// Nil when the text is too short for near-duplicate detection (exact matching only).
    public let signature: MinHashSignature?
    /// The signature's band keys; empty when there is no signature.
    public let bandKeys: [UInt64]
}

/// Folding used before hashing: Arabic letter variants, diacritics, tatweel, case and
/// punctuation erased, so that respellings of one text hash alike.
public enum DeduplicationFolding {
    /// `BoilerplateLexicon.comparisonKey` plus Arabic-Indic and Persian digits read as ASCII
    /// digits (republishers often switch digit styles).
    ///
    /// Not `ArabicFolding`, on purpose: folding unifies punctuation (، → ,) where this key drops
    /// it, so a copy that only re-punctuates would no longer match; and content hashes and
    /// band keys are persisted in the state, so whatever this produces must never change (nor
    /// follow the configurable `normalize.*` options), or every stored fingerprint would stop
    /// matching after an upgrade.
    public static let standard: @Sendable (String) -> String = { text in
        var key = BoilerplateLexicon.comparisonKeyBytes(text)
        foldDigits(&key)
        return String(decoding: key, as: UTF8.self)
    }

    /// Arabic-Indic digits (D9 A0...D9 A9 in UTF-8) and extended, Persian ones (DB B0...DB B9)
    /// become ASCII digits, in place.
    static func foldDigits(_ bytes: inout [UInt8]) {
        guard bytes.contains(where: { $0 == 0xD9 || $0 == 0xDB }) else { return }
        var written = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if index + 1 < count {
                let next = bytes[index + 1]
                if byte == 0xD9 && next >= 0xA0 && next <= 0xA9 {
                    bytes[written] = 0x30 + next - 0xA0
                    written += 1
                    index += 2
                    continue
                }
                if byte == 0xDB && next >= 0xB0 && next <= 0xB9 {
                    bytes[written] = 0x30 + next - 0xB0
                    written += 1
                    index += 2
                    continue
                }
            }
            bytes[written] = byte
            written += 1
            index += 1
        }
        bytes.removeLast(count - written)
    }
}

/// Turns article text into a `TextFingerprint`. Pure and Sendable: fingerprints can be
/// computed concurrently, ahead of the (sequential) deduplication decisions.
public struct TextFingerprinter: Sendable {
    public let folding: @Sendable (String) -> String
    /// Words per shingle.
    public let shingleSize: Int
    /// Texts with fewer folded words get no signature: a few shared words say little.
    public let minimumWordsForNearDuplicates: Int
    public let minHasher: MinHasher

    public init(
        folding: @escaping @Sendable (String) -> String = DeduplicationFolding.standard,
        shingleSize: Int = 5,
        minimumWordsForNearDuplicates: Int = 30,
        parameters: MinHashParameters = .standard
    ) {
        precondition(shingleSize > 0, "shingles need at least one word")
        self.folding = folding
        self.shingleSize = shingleSize
        self.minimumWordsForNearDuplicates = max(minimumWordsForNearDuplicates, shingleSize)
        self.minHasher = MinHasher(parameters: parameters)
    }

    public func fingerprint(of text: String) -> TextFingerprint {
        var folded = folding(text)
        let words = folded.withUTF8 { Self.words(in: $0) }
        let contentHash = Self.hex(SHA256.hash(data: words.normalizedText))
        guard words.hashes.count >= minimumWordsForNearDuplicates else {
            return TextFingerprint(
                contentHash: contentHash, wordCount: words.hashes.count, shingleCount: 0, signature: nil, bandKeys: [])
        }
        let shingles = shingleHashes(of: words.hashes)
        let signature = minHasher.signature(ofShingleHashes: shingles)
        let parameters = minHasher.parameters
        return TextFingerprint(
            contentHash: contentHash, wordCount: words.hashes.count, shingleCount: Self.distinctCount(shingles),
            signature: signature,
            bandKeys: signature.bandKeys(bands: parameters.bands, rowsPerBand: parameters.rowsPerBand))
    }

    /// Hex SHA-256 of the folded, whitespace-normalized text: the record's `contentHash`.
    public func contentHash(of text: String) -> String {
        fingerprint(of: text).contentHash
    }

    /// One hash per run of `shingleSize` consecutive words.
    func shingleHashes(of wordHashes: [UInt64]) -> [UInt64] {
        guard wordHashes.count >= shingleSize else { return [] }
        var shingles: [UInt64] = []
        shingles.reserveCapacity(wordHashes.count - shingleSize + 1)
        for start in 0...(wordHashes.count - shingleSize) {
            var hash: UInt64 = 0x5348_494E_474C_4531
            for offset in 0..<shingleSize { hash = HashMixing.combine(hash, wordHashes[start + offset]) }
            shingles.append(HashMixing.finalize(hash))
        }
        return shingles
    }

    private static func distinctCount(_ values: [UInt64]) -> Int {
        let sorted = values.sorted()
        var count = sorted.isEmpty ? 0 : 1
        for index in sorted.indices.dropFirst() where sorted[index] != sorted[index - 1] { count += 1 }
        return count
    }

    /// Words are runs of bytes other than ASCII spaces and ASCII punctuation; any folding's
    /// leftovers (comparisonKey keeps ":", "/" and "@") therefore never change a word.
    static func words(in bytes: UnsafeBufferPointer<UInt8>) -> (hashes: [UInt64], normalizedText: [UInt8]) {
        var hashes: [UInt64] = []
        var normalized: [UInt8] = []
        normalized.reserveCapacity(bytes.count)
        hashes.reserveCapacity(bytes.count / 6)
        var wordHash: UInt64 = 0
        var inWord = false
        for byte in bytes {
            if byte < 0x80 && !isASCIIWordByte(byte) {
                if inWord {
                    hashes.append(HashMixing.finalize(wordHash))
                    inWord = false
                }
                continue
            }
            if !inWord {
                if !normalized.isEmpty { normalized.append(0x20) }
                wordHash = 0xCBF2_9CE4_8422_2325
                inWord = true
            }
            normalized.append(byte)
            wordHash = (wordHash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3  // FNV-1a
        }
        if inWord { hashes.append(HashMixing.finalize(wordHash)) }
        return (hashes, normalized)
    }

    @inline(__always)
    private static func isASCIIWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
