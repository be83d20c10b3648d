internal import Foundation

/// One pass over a text's UTF-8 bytes: looks every scalar up in `ScalarActions`, copies runs of
/// kept scalars through in one piece, and applies the line and space rules on the way out.
///
/// NFC: Arabic text is NFC in practice; where it is not (a combining hamza or madda after its
/// letter, harakat typed in another order) the scanner reorders the marks after a letter by
/// combining class and applies the eight Arabic compositions itself (`ArabicCharacters`). A line
/// holding any other combining mark or NFC-sensitive scalar (Latin accents, Hangul jamo…) goes
/// through Foundation's `precomposedStringWithCanonicalMapping` once the line is complete.
struct NormalizingScanner: ~Copyable {
    private let actions: ScalarActions
    private var output: OutputBytes
    /// Where the current line starts in `output`.
    private var lineStart = 0
    private var pendingSpace = false
    private var pendingNewline = false
    private var lineNeedsFoundationNFC = false
    /// Set (and the scan abandoned) when a mojibake signature turns up.
    private var foundMojibakeSignature = false

    private init(actions: ScalarActions, capacity: Int) {
        self.actions = actions
        output = OutputBytes(capacity: capacity)
    }

    private enum Outcome {
        case unchanged
        case changed(String)
        case mojibakeSignature
    }

    /// The text after one pass. With `repairingMojibake`, a text showing a mojibake signature
    /// is repaired (`MojibakeRepair`) and scanned again; clean text pays one comparison per
    /// flagged letter.
    static func run(_ text: String, actions: ScalarActions, repairingMojibake: Bool = false) -> String {
        var text = text
        let outcome: Outcome = text.withUTF8 { bytes in
            var scanner = NormalizingScanner(actions: actions, capacity: bytes.count + 16)
            scanner.scan(bytes, detectingMojibake: repairingMojibake)
            if scanner.foundMojibakeSignature { return .mojibakeSignature }
            let result = scanner.output.bytes
            // Clean text comes out byte for byte: keep the input and skip building a String.
            if result.count == bytes.count
                && (bytes.isEmpty || memcmp(result.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
            {
                return .unchanged
            }
            // Whole scalars from the tables or from the input: valid UTF-8.
            return .changed(String(validUTF8: result))
        }
        switch outcome {
        case .unchanged: return text
        case .changed(let result): return result
        case .mojibakeSignature: return repairingToFixedPoint(text, actions: actions)
        }
    }

    /// `text` repaired and run through `actions`, again while that changes it: the actions
    /// (spaces, invisible characters, quotes, case) can turn a word the repair had to leave into
    /// one it reads, so a single round would not be idempotent. Rounds are few (each repairs
    /// something) and bounded.
    static func repairingToFixedPoint(_ text: String, actions: ScalarActions) -> String {
        var current = run(MojibakeRepair.repair(text), actions: actions)
        for _ in 0..<4 {
            let repaired = MojibakeRepair.repair(current)
            if repaired == current { break }
            current = run(repaired, actions: actions)
        }
        return current
    }

    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, detectingMojibake: Bool) {
        let ascii = actions.ascii
        let twoByte = actions.twoByte
        let count = bytes.count
        var index = 0
        var runStart = 0  // bytes[runStart..<index] are kept scalars not yet copied
        while index < count {
            let lead = bytes[index]
            let value: UInt32
            let length: Int
            let action: UInt32
            if lead < 0x80 {
                action = ascii[Int(lead)]
                if action == 0 { index &+= 1; continue }
                // One space between two kept scalars stays as it is: part of the run.
                if lead == 0x20 && runStart < index && index &+ 1 < count
                    && startsKeptScalar(bytes, at: index &+ 1, ascii: ascii, twoByte: twoByte)
                {
                    index &+= 1
                    continue
                }
                value = UInt32(lead)
                length = 1
            } else if lead < 0xE0 {
                value = UInt32(lead & 0x1F) << 6 | UInt32(bytes[index &+ 1] & 0x3F)
                action = twoByte[Int(value &- 0x80)]
                if action == 0 { index &+= 2; continue }
                if action == ScalarAction.keepMojibakeLead {
                    if detectingMojibake && MojibakeRepair.signature(bytes.baseAddress!, count, at: index) {
                        foundMojibakeSignature = true
                        return
                    }
                    index &+= 2
                    continue
                }
                // Folded letters (أ ة ى …) are the common change: no trip through `apply`.
                if action >> 24 == ScalarAction.Kind.replace.rawValue {
                    copyRun(bytes, from: runStart, to: index)
                    beginContent()
                    appendScalar(ScalarAction.payload(action))
                    index &+= 2
                    runStart = index
                    continue
                }
                length = 2
            } else if lead < 0xF0 {
                value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index &+ 1] & 0x3F) << 6
                    | UInt32(bytes[index &+ 2] & 0x3F)
                action = actions.wideAction(value)
                if action == 0 { index &+= 3; continue }
                length = 3
            } else {
                value = UInt32(lead & 0x07) << 18 | UInt32(bytes[index &+ 1] & 0x3F) << 12
                    | UInt32(bytes[index &+ 2] & 0x3F) << 6 | UInt32(bytes[index &+ 3] & 0x3F)
                action = actions.wideAction(value)
                if action == 0 { index &+= 4; continue }
                length = 4
            }
            if action >> 24 == ScalarAction.Kind.keepNeedingNFC.rawValue {
                lineNeedsFoundationNFC = true
                index &+= length
                continue
            }
            copyRun(bytes, from: runStart, to: index)
            apply(action, to: value)
            index &+= length
            runStart = index
        }
        copyRun(bytes, from: runStart, to: count)
        finishLine()
    }

    @inline(__always)
    private func startsKeptScalar(
        _ bytes: UnsafeBufferPointer<UInt8>, at index: Int, ascii: [UInt32], twoByte: [UInt32]
    ) -> Bool {
        let lead = bytes[index]
        if lead < 0x80 { return ascii[Int(lead)] == 0 }
        guard lead < 0xE0, index &+ 1 < bytes.count else { return false }
        let action = twoByte[Int((UInt32(lead & 0x1F) << 6 | UInt32(bytes[index &+ 1] & 0x3F)) &- 0x80)]
        return action == 0 || action == ScalarAction.keepMojibakeLead
    }

    @inline(__always)
    private mutating func copyRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        guard start < end else { return }
        beginContent()
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    /// Writes the space or line break owed before the next visible scalar.
    @inline(__always)
    private mutating func beginContent() {
        if pendingNewline {
            output.append(0x0A)
            lineStart = output.count
            pendingNewline = false
        } else if pendingSpace {
            output.append(0x20)
        }
        pendingSpace = false
    }

    private mutating func apply(_ action: UInt32, to value: UInt32) {
        switch ScalarAction.kind(action) {
        case .keep, .keepNeedingNFC:
            if action >> 24 == ScalarAction.Kind.keepNeedingNFC.rawValue { lineNeedsFoundationNFC = true }
            beginContent()
            appendScalar(value)
        case .drop:
            break
        case .tatweel:
            // Directly after a visible character it stretches that word; after a space or at
            // the start of a line it is a dash and stays.
            if pendingSpace || pendingNewline || output.count == lineStart {
                beginContent()
                appendScalar(value)
            }
        case .space:
            if !pendingNewline && output.count > lineStart { pendingSpace = true }
        case .newline:
            finishLine()
            pendingSpace = false
            if !output.isEmpty { pendingNewline = true }
        case .arabicMark:
            beginContent()
            appendScalar(value)
            composeArabicCluster()
        case .replace:
            beginContent()
            appendScalar(ScalarAction.payload(action))
        case .expand:
            expand(value)
        }
    }

    /// Scalars that stand for several: each goes through the tables again (a decomposition may
    /// hold tatweel, spaces or marks).
    private mutating func expand(_ value: UInt32) {
        if let scalars = ArabicCharacters.presentationFormDecompositions[value], actions.options.mapPresentationForms {
            for scalar in scalars { apply(action(of: scalar.value), to: scalar.value) }
        } else if value == 0x2026 {
            for _ in 0..<3 { apply(action(of: 0x2E), to: 0x2E) }
        } else if let scalar = Unicode.Scalar(value) {
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                let lowerAction = action(of: lower.value)
                // A lowercase mapping is final: never expand it again.
                apply(ScalarAction.kind(lowerAction) == .expand ? ScalarAction.make(.keep) : lowerAction, to: lower.value)
            }
        }
    }

    private func action(of value: UInt32) -> UInt32 {
        if value < 0x80 { return actions.ascii[Int(value)] }
        if value < 0x800 { return actions.twoByte[Int(value - 0x80)] }
        return actions.wideAction(value)
    }

    @inline(__always)
    private mutating func appendScalar(_ value: UInt32) {
        if value < 0x80 {
            output.append(UInt8(value))
        } else if value < 0x800 {
            output.append(UInt8(0xC0 | value >> 6))
            output.append(UInt8(0x80 | value & 0x3F))
        } else if value < 0x10000 {
            output.append(UInt8(0xE0 | value >> 12))
            output.append(UInt8(0x80 | value >> 6 & 0x3F))
            output.append(UInt8(0x80 | value & 0x3F))
        } else {
            output.append(UInt8(0xF0 | value >> 18))
            output.append(UInt8(0x80 | value >> 12 & 0x3F))
            output.append(UInt8(0x80 | value >> 6 & 0x3F))
            output.append(UInt8(0x80 | value & 0x3F))
        }
    }

    private mutating func finishLine() {
        guard lineNeedsFoundationNFC else { return }
        lineNeedsFoundationNFC = false
        let line = String(decoding: output.bytes(from: lineStart), as: UTF8.self)
        var composed = line.precomposedStringWithCanonicalMapping
        output.truncate(to: lineStart)
        composed.withUTF8 { output.append(contentsOf: $0) }
    }

    // MARK: Arabic NFC

    /// Called right after an Arabic combining mark was appended: puts the cluster it ends (the
    /// last starter and the marks after it) in NFC. Arabic marks are two UTF-8 bytes each.
    private mutating func composeArabicCluster() {
        let end = output.count
        let combiningClasses = ArabicCharacters.combiningClassOfTwoByteScalars
        var marksStart = end - 2
        var marks = 1
        var ordered = true
        var followingClass = combiningClasses[Int(twoByteValue(at: marksStart) - 0x80)]
        while marksStart - 2 >= lineStart, (0xC2...0xDF).contains(output[marksStart - 2]) {
            let combiningClass = combiningClasses[Int(twoByteValue(at: marksStart - 2) - 0x80)]
            if combiningClass == 0 { break }
            if combiningClass > followingClass { ordered = false }
            followingClass = combiningClass
            marksStart -= 2
            marks += 1
        }
        // The starter: a two-byte scalar right before the marks that can compose.
        var starter: UInt32?
        if marksStart - 2 >= lineStart, (0xC2...0xDF).contains(output[marksStart - 2]) {
            let value = twoByteValue(at: marksStart - 2)
            if ArabicCharacters.takesPart(inComposition: value) { starter = value }
        }
        if ordered && starter == nil { return }
        if marks > 32 {
            // Pathological stacks of marks: let Foundation do the whole line.
            lineNeedsFoundationNFC = true
            return
        }
        var scalars: [UInt32] = []  // rare path: a letter that composes, or marks out of order
        scalars.reserveCapacity(marks + 2)
        var clusterStart = marksStart
        var base: UInt32?
        if let starter {
            clusterStart -= 2
            if let (letter, mark) = ArabicCharacters.decomposition(of: starter) {
                base = letter
                scalars.append(mark)
            } else {
                base = starter
            }
        }
        var position = marksStart
        while position < end {
            scalars.append(twoByteValue(at: position))
            position += 2
        }
        // Canonical ordering: a stable sort by combining class.
        func combiningClass(_ value: UInt32) -> UInt8 { combiningClasses[Int(value - 0x80)] }
        for index in scalars.indices.dropFirst() {
            var slot = index
            let value = scalars[index]
            while slot > 0 && combiningClass(scalars[slot - 1]) > combiningClass(value) {
                scalars[slot] = scalars[slot - 1]
                slot -= 1
            }
            scalars[slot] = value
        }
        // Canonical composition: a mark composes unless a kept mark before it has a class >= its own.
        var kept: [UInt32] = []
        kept.reserveCapacity(scalars.count)
        var lastKeptClass: UInt8 = 0
        for mark in scalars {
            let markClass = combiningClass(mark)
            if let current = base, kept.isEmpty || lastKeptClass < markClass,
                let composed = ArabicCharacters.composition(of: current, with: mark)
            {
                base = composed
            } else {
                kept.append(mark)
                lastKeptClass = markClass
            }
        }
        output.truncate(to: clusterStart)
        if let base { appendScalar(base) }
        for mark in kept { appendScalar(mark) }
    }

    @inline(__always)
    private func twoByteValue(at offset: Int) -> UInt32 {
        UInt32(output[offset] & 0x1F) << 6 | UInt32(output[offset + 1] & 0x3F)
    }
}

/// The scanner's output: a growable byte buffer without the uniqueness checks of `Array`.
struct OutputBytes: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    var isEmpty: Bool { count == 0 }
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    func bytes(from offset: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: start + offset, count: count - offset)
    }

    subscript(offset: Int) -> UInt8 { start[offset] }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: count + 1) }
        start[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if count + bytes.count > capacity { grow(toHold: count + bytes.count) }
        if bytes.count <= 16 {
            // Runs between two changes are mostly a word or two: cheaper than a memmove call.
            for offset in 0..<bytes.count { start[count &+ offset] = source[offset] }
        } else {
            (start + count).update(from: source, count: bytes.count)
        }
        count += bytes.count
    }

    mutating func truncate(to newCount: Int) { count = min(count, newCount) }

    private mutating func grow(toHold needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newStart = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStart.update(from: start, count: count)
        start.deallocate()
        start = newStart
        capacity = newCapacity
    }
}
