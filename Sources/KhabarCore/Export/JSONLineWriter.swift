/// Builds one JSON object per line, keys in the order they are written, straight into UTF-8
/// bytes (no `JSONEncoder`, no intermediate dictionaries).
///
/// Strings are escaped as RFC 8259 requires and no more: `"` and `\` get a backslash; the
/// control characters U+0000–U+001F are written as `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`;
/// everything else (non-ASCII, `/`, DEL) is copied as UTF-8, so Arabic text stays readable.
/// `nil` is written as `null`, as is a non-finite `Double` (JSON has no NaN or infinity).
///
///     var line = JSONLineWriter()
///     line.field("input", "page.html")
///     line.field("title", nil as String?)
///     line.field("tags", ["سياسة", "اقتصاد"])
///     output.append(contentsOf: line.finish())   // {"input":"page.html","title":null,"tags":[…]}\n
///
/// The writer does not check that keys are unique; callers own the key list.
public struct JSONLineWriter: Sendable {
    /// The bytes written so far; after `finish()`, one whole line ending in `\n`.
    public private(set) var bytes: [UInt8]
    private var fieldCount = 0
    private var finished = false

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// Empties the writer for the next line, keeping its buffer's capacity.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(UInt8(ascii: "{"))
        fieldCount = 0
        finished = false
    }

    /// Closes the object and returns the line, newline included.
    @discardableResult
    public mutating func finish() -> [UInt8] {
        if !finished {
            bytes.append(UInt8(ascii: "}"))
            bytes.append(UInt8(ascii: "\n"))
            finished = true
        }
        return bytes
    }

    /// The finished line as a `String`, without its newline (for tests and logs).
    public mutating func finishedString() -> String {
        let line = finish()
        return String(decoding: line.dropLast(), as: UTF8.self)
    }

    // MARK: Fields

    public mutating func field(_ key: String, _ value: String?) {
        appendKey(key)
        if let value { appendString(value) } else { appendNull() }
    }

    public mutating func field(_ key: String, _ value: Int?) {
        appendKey(key)
        if let value { appendInt(value) } else { appendNull() }
    }

    public mutating func field(_ key: String, _ value: Double?) {
        appendKey(key)
        if let value, value.isFinite { appendASCII(value.description) } else { appendNull() }
    }

    public mutating func field(_ key: String, _ value: Bool?) {
        appendKey(key)
        switch value {
        case .some(true): appendASCII("true")
        case .some(false): appendASCII("false")
        case .none: appendNull()
        }
    }

    public mutating func field(_ key: String, _ value: [String]?) {
        appendKey(key)
        guard let value else { return appendNull() }
        bytes.append(UInt8(ascii: "["))
        for (index, element) in value.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendString(element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A field whose value is `null`, whatever its type would be.
    public mutating func nullField(_ key: String) {
        appendKey(key)
        appendNull()
    }

    // MARK: Encoding

    private mutating func appendKey(_ key: String) {
        precondition(!finished, "JSONLineWriter: field written after finish(); call reset() first")
        if fieldCount > 0 { bytes.append(UInt8(ascii: ",")) }
        fieldCount += 1
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func appendNull() { appendASCII("null") }

    private mutating func appendASCII(_ text: String) { bytes.append(contentsOf: text.utf8) }

    private mutating func appendInt(_ value: Int) {
        if value == 0 { return bytes.append(UInt8(ascii: "0")) }
        // Digits of the magnitude, least significant first, in a fixed buffer (no allocation).
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var magnitude = value.magnitude
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in appendEscaped(utf8) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies runs of bytes that need no escape in one go; escapes the rest.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            runStart = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(JSONLineWriter.hexDigits[Int(byte >> 4)])
                bytes.append(JSONLineWriter.hexDigits[Int(byte & 0x0F)])
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
