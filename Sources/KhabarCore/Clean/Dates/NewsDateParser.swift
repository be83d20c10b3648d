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

/// Reads publication dates as news pages write them.
public enum NewsDateParser {
    /// Parses a date value (a metadata field, or a short visible date line).
    /// Returns `nil` when no date is found or it lies before 1990 or in the future.
    public static func parse(_ text: String, now: Date = Date()) -> NewsDate? {
        guard let date = parseISO8601(text) else { return nil }
        return isPlausible(date, now: now) ? date : nil
    }

    static func isPlausible(_ date: NewsDate, now: Date) -> Bool {
        guard date.year >= 1990, (1...12).contains(date.month), (1...31).contains(date.day) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let day = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) else { return false }
        // A day of slack for zones east of UTC.
        return day <= now.addingTimeInterval(86_400)
    }

    /// `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fff]]` and a zone.
    static func parseISO8601(_ text: String) -> NewsDate? {
        let scalars = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for index in range {
                let byte = scalars[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), scalars.count >= 10, scalars[4] == 45, let month = number(5..<7),
              scalars[7] == 45, let day = number(8..<10) else { return nil }
        var date = NewsDate(year: year, month: month, day: day)
        guard scalars.count >= 16, scalars[10] == 84 || scalars[10] == 32,
              let hour = number(11..<13), scalars[13] == 58, let minute = number(14..<16) else { return date }
        date.hour = hour
        date.minute = minute
        var cursor = 16
        if scalars.count >= 19, scalars[16] == 58, let second = number(17..<19) {
            date.second = second
            cursor = 19
            if cursor < scalars.count, scalars[cursor] == 46 {
                cursor += 1
                while cursor < scalars.count, scalars[cursor] >= 48 && scalars[cursor] <= 57 { cursor += 1 }
            }
        }
        if cursor < scalars.count {
            if scalars[cursor] == 90 {
                date.utcOffsetMinutes = 0
            } else if scalars[cursor] == 43 || scalars[cursor] == 45, let offsetHours = number(cursor + 1..<cursor + 3) {
                let afterHours = cursor + 3
                let offsetMinutes = afterHours < scalars.count && scalars[afterHours] == 58
                    ? number(afterHours + 1..<afterHours + 3) ?? 0 : number(afterHours..<afterHours + 2) ?? 0
                let sign = scalars[cursor] == 45 ? -1 : 1
                date.utcOffsetMinutes = sign * (offsetHours * 60 + offsetMinutes)
            }
        }
        return date
    }
}
