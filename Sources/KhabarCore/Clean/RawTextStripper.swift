#if canImport(Glibc)
import Glibc
#endif

/// Empties `<script>`, `<style>` and inline `<svg>` bodies and drops comments before the HTML
/// parser sees a page.
///
/// On real pages half the bytes are inline scripts and styles, which libxml2 tokenizes a
/// character at a time only for the cleaner to ignore them. HTML defines a script or style
/// body to end at the first `</script` or `</style` whatever it contains, so cutting at the
/// byte level is exact. An SVG body is drawing instructions, never article text; a nested
/// `<svg>` leaves a stray end tag that the parser ignores. JSON scripts (JSON-LD, framework state such as `__NEXT_DATA__`) are
/// kept: they carry metadata.
enum RawTextStripper {
    static func strip(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { bytes -> [UInt8] in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return input }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var copiedUpTo = 0
            var cursor = 0
            let count = bytes.count
            while cursor < count, let found = memchr(base + cursor, 0x3C, count - cursor) {
                let open = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                cursor = open + 1
                if matches(bytes, at: open + 1, "!--") {
                    guard let close = find(bytes, "-->", from: open + 4) else { break }
                    output.append(contentsOf: bytes[copiedUpTo..<open])
                    copiedUpTo = close + 3
                    cursor = copiedUpTo
                    continue
                }
                let name: StaticString
                if matchesTagName(bytes, at: open + 1, "script") {
                    name = "</script"
                } else if matchesTagName(bytes, at: open + 1, "style") {
                    name = "</style"
                } else if matchesTagName(bytes, at: open + 1, "svg") {
                    name = "</svg"
                } else {
                    continue
                }
                guard let tagEnd = firstIndex(of: 0x3E, in: bytes, from: open + 1) else { break }
                if name.utf8CodeUnitCount == 8, find(bytes[open..<tagEnd], caseInsensitive: "json") {
                    cursor = tagEnd + 1
                    continue
                }
                guard let close = findCaseInsensitive(bytes, name, from: tagEnd + 1) else {
                    cursor = tagEnd + 1
                    continue
                }
                output.append(contentsOf: bytes[copiedUpTo...tagEnd])
                copiedUpTo = close
                cursor = close + 2
            }
            if copiedUpTo == 0 { return input }
            output.append(contentsOf: bytes[copiedUpTo..<count])
            return output
        }
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard start + length <= bytes.count else { return false }
        for offset in 0..<length where lowered(bytes[start + offset]) != literal.utf8Start[offset] { return false }
        return true
    }

    /// `name` follows at `start` and ends there (space, `>` or `/` next), so `<scripts>` is not `<script>`.
    private static func matchesTagName(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ name: StaticString) -> Bool {
        guard matches(bytes, at: start, name) else { return false }
        let next = start + name.utf8CodeUnitCount
        guard next < bytes.count else { return false }
        let byte = bytes[next]
        return byte == 0x3E || byte == 0x2F || byte <= 0x20
    }

    private static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let found = memchr(bytes.baseAddress! + start, Int32(byte), bytes.count - start) else { return nil }
        return bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private static func find(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString, from start: Int) -> Int? {
        var cursor = start
        let first = literal.utf8Start[0]
        while let candidate = firstIndex(of: first, in: bytes, from: cursor) {
            if matches(bytes, at: candidate, literal) { return candidate }
            cursor = candidate + 1
        }
        return nil
    }

    private static func findCaseInsensitive(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString, from start: Int) -> Int? {
        // Literals start with "<", which has no case.
        find(bytes, literal, from: start)
    }

    private static func find(_ slice: Slice<UnsafeBufferPointer<UInt8>>, caseInsensitive literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard slice.count >= length else { return false }
        for start in slice.startIndex...(slice.endIndex - length) {
            var offset = 0
            while offset < length && lowered(slice[start + offset]) == literal.utf8Start[offset] { offset += 1 }
            if offset == length { return true }
        }
        return false
    }
}
