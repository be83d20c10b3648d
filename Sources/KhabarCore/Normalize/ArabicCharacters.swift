internal import Foundation

/// Unicode facts the normalizer needs about Arabic, as small tables built once.
enum ArabicCharacters {
    /// Canonical combining classes of U+0080–07FF (index `value - 0x80`), read from the standard
    /// library once so the hot loop never asks for scalar properties.
    static let combiningClassOfTwoByteScalars: [UInt8] = (0x80..<0x800).map { value in
        UInt8(Unicode.Scalar(UInt32(value)).map { $0.properties.canonicalCombiningClass.rawValue } ?? 0)
    }

    static func isArabicMark(_ value: UInt32) -> Bool {
        switch value {
        case 0x0610...0x061A, 0x064B...0x065F, 0x0670, 0x06D6...0x06DC, 0x06DF...0x06E4, 0x06E7, 0x06E8,
            0x06EA...0x06ED, 0x08D3...0x08E1, 0x08E3...0x08FF:
            return true
        default:
            return false
        }
    }

    /// The Arabic primary composites of NFC: a letter plus combining madda (U+0653), hamza above
    /// (U+0654) or hamza below (U+0655). These are all of them in the Arabic block, so NFC of
    /// Arabic text needs no general Unicode tables.
    static func composition(of base: UInt32, with mark: UInt32) -> UInt32? {
        switch (base, mark) {
        case (0x0627, 0x0653): return 0x0622
        case (0x0627, 0x0654): return 0x0623
        case (0x0648, 0x0654): return 0x0624
        case (0x0627, 0x0655): return 0x0625
        case (0x064A, 0x0654): return 0x0626
        case (0x06D5, 0x0654): return 0x06C0
        case (0x06C1, 0x0654): return 0x06C2
        case (0x06D2, 0x0654): return 0x06D3
        default: return nil
        }
    }

    static func decomposition(of composite: UInt32) -> (base: UInt32, mark: UInt32)? {
        switch composite {
        case 0x0622: return (0x0627, 0x0653)
        case 0x0623: return (0x0627, 0x0654)
        case 0x0624: return (0x0648, 0x0654)
        case 0x0625: return (0x0627, 0x0655)
        case 0x0626: return (0x064A, 0x0654)
        case 0x06C0: return (0x06D5, 0x0654)
        case 0x06C2: return (0x06C1, 0x0654)
        case 0x06D3: return (0x06D2, 0x0654)
        default: return nil
        }
    }

    /// A letter that a following combining mark may compose with (or recompose, for composites).
    static func takesPart(inComposition value: UInt32) -> Bool {
        switch value {
        case 0x0622...0x0627, 0x0648, 0x064A, 0x06C0, 0x06C1, 0x06C2, 0x06D2, 0x06D3, 0x06D5: return true
        default: return false
        }
    }

    static func isPresentationForm(_ value: UInt32) -> Bool {
        (0xFB50...0xFDFF).contains(value) || (0xFE70...0xFEFE).contains(value)
    }

    /// Compatibility decompositions of the presentation-form blocks (NFKC of each scalar, so
    /// ﻷ gives ل + أ, not ل + ا + hamza). Built once with Foundation, outside any hot loop;
    /// scalars without a decomposition (unassigned, ornate parentheses) have none.
    static let presentationFormDecompositions: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        for value in UInt32(0xFB50)...0xFEFE where isPresentationForm(value) {
            guard let scalar = Unicode.Scalar(value), scalar.properties.isNoncharacterCodePoint == false
            else { continue }
            let decomposed = String(Character(scalar)).precomposedStringWithCompatibilityMapping
            let scalars = Array(decomposed.unicodeScalars)
            if scalars != [scalar] { table[value] = scalars }
        }
        return table
    }()
}
