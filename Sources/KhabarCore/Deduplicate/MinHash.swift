/// MinHash parameters: how many hash functions, how they are split into LSH bands, and the
/// seed every hash function derives from (fixed, so signatures are comparable across runs).
public struct MinHashParameters: Sendable, Hashable {
    public var bands: Int
    public var rowsPerBand: Int
    public var seed: UInt64

    public var permutationCount: Int { bands * rowsPerBand }

    /// 128 permutations as 32 bands of 4 rows. The band S-curve (1/32)^(1/4) ≈ 0.42 sits well
    /// below the decision threshold on purpose: a pair with Jaccard 0.6 becomes a candidate
    /// with probability 0.99, and candidates are then verified against the threshold.
    public static let standard = MinHashParameters(bands: 32, rowsPerBand: 4, seed: 0x6B68_6162_6172_0001)

    public init(bands: Int, rowsPerBand: Int, seed: UInt64) {
        precondition(bands > 0 && rowsPerBand > 0, "MinHash needs at least one band of one row")
        self.bands = bands
        self.rowsPerBand = rowsPerBand
        self.seed = seed
    }

    /// Names the scheme; stored band keys and signatures are only comparable under one value.
    /// A store should keep it and refuse (or rebuild) fingerprints made under another.
    public var schemeIdentifier: String {
        "minhash-v1-b\(bands)r\(rowsPerBand)-seed\(String(seed, radix: 16))"
    }
}

/// A MinHash signature: for each hash function, the minimum over the text's shingle hashes.
public struct MinHashSignature: Sendable, Hashable {
    public let values: [UInt32]

    public init(values: [UInt32]) {
        self.values = values
    }

    /// Estimated Jaccard similarity of the two shingle sets: the share of equal minima.
    public func estimatedJaccard(with other: MinHashSignature) -> Double {
        guard values.count == other.values.count, !values.isEmpty else { return 0 }
        var equal = 0
        for index in values.indices where values[index] == other.values[index] { equal += 1 }
        return Double(equal) / Double(values.count)
    }

    /// One key per band; two signatures sharing any key are near-duplicate candidates. The band
    /// index is mixed in, so equal rows in different bands do not collide.
    public func bandKeys(bands: Int, rowsPerBand: Int) -> [UInt64] {
        precondition(values.count >= bands * rowsPerBand, "signature shorter than its bands")
        var keys: [UInt64] = []
        keys.reserveCapacity(bands)
        for band in 0..<bands {
            var key = HashMixing.finalize(UInt64(band) &+ 0x9E37_79B9_7F4A_7C15)
            for row in 0..<rowsPerBand {
                key = HashMixing.combine(key, UInt64(values[band * rowsPerBand + row]))
            }
            keys.append(HashMixing.finalize(key))
        }
        return keys
    }

    /// Little-endian bytes of the values, for storing the signature as a blob.
    public var littleEndianBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
        }
        return bytes
    }

    public init?(littleEndianBytes bytes: [UInt8]) {
        guard bytes.count % 4 == 0 else { return nil }
        var values: [UInt32] = []
        values.reserveCapacity(bytes.count / 4)
        for start in stride(from: 0, to: bytes.count, by: 4) {
            values.append(
                UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
                    | UInt32(bytes[start + 3]) << 24)
        }
        self.values = values
    }
}

/// Computes MinHash signatures from 64-bit shingle hashes.
///
/// Each "permutation" is a multiply-add hash `a·x + b (mod 2^64)` keeping the high 32 bits;
/// the shingle hashes are already well mixed, so this is as good as a true permutation here and
/// much cheaper. `a` and `b` come from SplitMix64 on the fixed seed.
public struct MinHasher: Sendable {
    public let parameters: MinHashParameters
    private let multipliers: [UInt64]
    private let increments: [UInt64]

    public init(parameters: MinHashParameters = .standard) {
        self.parameters = parameters
        var generator = SplitMix64(state: parameters.seed)
        var multipliers: [UInt64] = []
        var increments: [UInt64] = []
        for _ in 0..<parameters.permutationCount {
            multipliers.append(generator.next() | 1)
            increments.append(generator.next())
        }
        self.multipliers = multipliers
        self.increments = increments
    }

    /// The signature of a non-empty set of shingle hashes (duplicates in the input are harmless).
    public func signature(ofShingleHashes shingles: [UInt64]) -> MinHashSignature {
        let count = parameters.permutationCount
        var minima = [UInt32](repeating: .max, count: count)
        multipliers.withUnsafeBufferPointer { multipliers in
            increments.withUnsafeBufferPointer { increments in
                minima.withUnsafeMutableBufferPointer { minima in
                    for shingle in shingles {
                        for index in 0..<count {
                            let hashed = UInt32(truncatingIfNeeded: (multipliers[index] &* shingle &+ increments[index]) >> 32)
                            if hashed < minima[index] { minima[index] = hashed }
                        }
                    }
                }
            }
        }
        return MinHashSignature(values: minima)
    }
}

/// Small, fixed (never randomly seeded) 64-bit hashing helpers.
enum HashMixing {
    /// MurmurHash3's 64-bit finalizer.
    @inline(__always)
    static func finalize(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }

    /// Order-sensitive combination of a running hash and the next value.
    @inline(__always)
    static func combine(_ running: UInt64, _ next: UInt64) -> UInt64 {
        (((running << 5) | (running >> 59)) ^ next) &* 0x9E37_79B9_7F4A_7C15
    }
}

struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
