public import Foundation

/// A calendar date, with a time of day and UTC offset when the source gives them.
public struct NewsDate: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int?
    public var minute: Int?
    public var second: Int?
    /// Minutes east of UTC, when the source states a zone.
    public var utcOffsetMinutes: Int?

    public init(year: Int, month: Int, day: Int, hour: Int? = nil, minute: Int? = nil, second: Int? = nil, utcOffsetMinutes: Int? = nil) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// `YYYY-MM-DD` for a date alone; `YYYY-MM-DDTHH:MM:SS` plus `Z`/`±HH:MM` when known.
    public var iso8601: String {
        // Written by hand: `String(format:)` went through Foundation's formatter on every
        // cleaned document. Fields outside what the digits can hold take that path still.
        guard (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day),
              (0...99).contains(hour ?? 0), (0...99).contains(minute ?? 0), (0...99).contains(second ?? 0),
              (-5999...5999).contains(utcOffsetMinutes ?? 0)
        else { return formattedISO8601 }
        var text = ""
        text.reserveCapacity(25)
        func append(_ value: Int, digits: Int) {
            var divisor = digits == 4 ? 1000 : 10
            while divisor > 0 {
                text.unicodeScalars.append(Unicode.Scalar(UInt8(0x30 + value / divisor % 10)))
                divisor /= 10
            }
        }
        append(year, digits: 4)
        text += "-"
        append(month, digits: 2)
        text += "-"
        append(day, digits: 2)
        guard let hour else { return text }
        text += "T"
        append(hour, digits: 2)
        text += ":"
        append(minute ?? 0, digits: 2)
        text += ":"
        append(second ?? 0, digits: 2)
        if let offset = utcOffsetMinutes {
            if offset == 0 {
                text += "Z"
            } else {
                text += offset < 0 ? "-" : "+"
                append(abs(offset) / 60, digits: 2)
                text += ":"
                append(abs(offset) % 60, digits: 2)
            }
        }
        return text
    }

    /// `iso8601` through `String(format:)`: for any field values (the reference the hand-written
    /// form is tested against).
    var formattedISO8601: String {
        let date = String(format: "%04d-%02d-%02d", year, month, day)
        guard let hour else { return date }
        var text = date + String(format: "T%02d:%02d:%02d", hour, minute ?? 0, second ?? 0)
        if let offset = utcOffsetMinutes {
            if offset == 0 {
                text += "Z"
            } else {
                let sign = offset < 0 ? "-" : "+"
                text += String(format: "%@%02d:%02d", sign, abs(offset) / 60, abs(offset) % 60)
            }
        }
        return text
    }
}

/// Reads publication dates as news pages write them: ISO 8601 and RFC 822 metadata values,
/// and visible date lines in Arabic, English or numeric form, in the Gregorian or Hijri calendar.
public enum NewsDateParser {
    /// The first date expression in a date value or a short visible date line, ignoring the
    /// words around it. A Gregorian date wins over a Hijri one in the same text. Returns `nil`
    /// when no date is written out (relative dates such as "منذ 3 ساعات" are not guessed), or
    /// when it lies before 1990 or more than a day after `now`.
    public static func parse(_ text: String, now: Date = Date()) -> NewsDate? {
        let scanner = DateScanner(tokens: DateTokenizer.tokens(in: text))
        if let field = scanner.compactFieldDate() {
            return isPlausible(field.date, now: now) ? field.date : nil
        }
        var firstHijri: NewsDate?
        var index = 0
        while index < scanner.tokens.count {
            guard let found = scanner.match(at: index) else {
                index += 1
                continue
            }
            if isPlausible(found.date, now: now) {
                if !found.isHijri { return found.date }
                if firstHijri == nil { firstHijri = found.date }
            }
            index = found.end
        }
        return firstHijri
    }

    /// Every plausible date expression in `text`, in order. A Hijri date is left out when its
    /// line also has a Gregorian date, which is then the same day written twice.
    public static func dates(in text: String, now: Date = Date()) -> [NewsDate] {
        let scanner = DateScanner(tokens: DateTokenizer.tokens(in: text))
        var found: [FoundDate] = []
        var gregorianLines = Set<Int32>()
        var index = 0
        while index < scanner.tokens.count {
            guard let date = scanner.match(at: index) else {
                index += 1
                continue
            }
            if isPlausible(date.date, now: now) {
                found.append(date)
                if !date.isHijri { gregorianLines.insert(date.line) }
            }
            index = date.end
        }
        return found.filter { !$0.isHijri || !gregorianLines.contains($0.line) }.map(\.date)
    }

    /// From 1990 to a day after `now`; the day of slack covers zones east of UTC.
    static func isPlausible(_ date: NewsDate, now: Date) -> Bool {
        guard date.year >= 1990, isValidGregorian(year: date.year, month: date.month, day: date.day) else { return false }
        let dayStart = Double(daysSinceEpoch(year: date.year, month: date.month, day: date.day)) * 86_400
        return dayStart <= now.timeIntervalSince1970 + 86_400
    }

    static func isValidGregorian(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let isLeapYear = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let length = switch month {
        case 2: isLeapYear ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
        return day <= length
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date, without building a `Calendar`.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        // Counting years from March puts the leap day last, so month lengths follow a fixed pattern.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
