#if canImport(Glibc)
import Glibc
#endif
import KhabarCore

/// Invariant checks shared by the fuzz targets. A failed check prints what failed and aborts,
/// so libFuzzer reports the input (and saves it as `crash-…`) just as it does for a crash.
public enum Invariant {
    /// The moment the fuzzer started: "not in the future" is checked against it (plus the day of
    /// slack `NewsDateParser` allows for zones east of UTC).
    public static let startSeconds = Double(time(nil))

    public static func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
        if condition { return }
        fail(message(), file: file, line: line)
    }

    public static func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
        let report = "INVARIANT FAILED (\(file):\(line)): \(message)\n"
        _ = report.withCString { write(2, $0, strlen($0)) }
        abort()
    }

    /// The input as one buffer.
    public static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The input as text (invalid UTF-8 repaired with U+FFFD, as the product reads untrusted text).
    public static func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    }

    /// Valid UTF-8 with no control characters; `\n` only where `newlines` allows it.
    public static func checkCleanText(_ text: String, _ field: String, newlines: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        let utf8 = Array(text.utf8)
        check(String(validating: utf8, as: UTF8.self) != nil, "\(field): not valid UTF-8", file: file, line: line)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x0A && newlines { continue }
            if value < 0x20 || (0x7F...0x9F).contains(value) {
                fail("\(field): control character U+\(String(value, radix: 16, uppercase: true)) in \(debug(text))", file: file, line: line)
            }
        }
    }

    /// An absolute http(s) URL with a host, no whitespace or controls.
    public static func checkWebURL(_ url: String, _ field: String, file: StaticString = #fileID, line: UInt = #line) {
        // Compared as bytes: "http://" followed by a combining mark is one Character "/\u{5AA}",
        // and `hasPrefix` on Characters would miss the prefix.
        let bytes = Array(url.utf8.prefix(8)).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let rest: ArraySlice<UInt8>
        if bytes.starts(with: "http://".utf8) {
            rest = Array(url.utf8)[7...]
        } else if bytes.starts(with: "https://".utf8) {
            rest = Array(url.utf8)[8...]
        } else {
            fail("\(field): not an absolute http(s) URL: \(debug(url))", file: file, line: line)
        }
        let host = rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        check(!host.isEmpty, "\(field): no host in \(debug(url))", file: file, line: line)
        check(!url.unicodeScalars.contains { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) },
              "\(field): whitespace or control character in \(debug(url))", file: file, line: line)
    }

    /// A date from 1990 to a day after the fuzzer started, with a valid calendar day, time and zone.
    public static func checkDate(_ date: NewsDate, _ field: String, file: StaticString = #fileID, line: UInt = #line) {
        check(date.year >= 1990, "\(field): year \(date.year) before 1990", file: file, line: line)
        check((1...12).contains(date.month), "\(field): month \(date.month)", file: file, line: line)
        check(date.day >= 1 && date.day <= daysIn(month: date.month, year: date.year), "\(field): day \(date.day) of \(date.year)-\(date.month)", file: file, line: line)
        if let hour = date.hour { check((0...23).contains(hour), "\(field): hour \(hour)", file: file, line: line) }
        if let minute = date.minute { check((0...59).contains(minute), "\(field): minute \(minute)", file: file, line: line) }
        if let second = date.second { check((0...60).contains(second), "\(field): second \(second)", file: file, line: line) }
        if let offset = date.utcOffsetMinutes { check(abs(offset) <= 18 * 60, "\(field): UTC offset \(offset) minutes", file: file, line: line) }
        let dayStart = Double(daysSinceEpoch(year: date.year, month: date.month, day: date.day)) * 86_400
        check(dayStart <= startSeconds + 86_400, "\(field): \(date.iso8601) is in the future", file: file, line: line)
    }

    /// An ISO 8601 text as `NewsDate.iso8601` writes it, for a date in range.
    public static func checkISODate(_ text: String, _ field: String, file: StaticString = #fileID, line: UInt = #line) {
        let parts = text.prefix(10).split(separator: "-").map { Int($0) }
        guard text.utf8.count >= 10, parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2] else {
            fail("\(field): not an ISO 8601 date: \(debug(text))", file: file, line: line)
        }
        checkDate(NewsDate(year: year, month: month, day: day), field, file: file, line: line)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// A short, escaped rendering of a value for a failure message.
    public static func debug(_ text: String) -> String {
        let shown = text.unicodeScalars.count > 300 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(300))) + "…" : text
        return "\"" + shown.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
    }
}
