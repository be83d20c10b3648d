internal import Foundation

/// A date expression found in a token stream.
struct FoundDate {
    var date: NewsDate
    var isHijri: Bool
    var line: Int32
    /// Index of the first token after the expression.
    var end: Int
}

/// Matches date expressions at a token position. Every matcher looks a bounded number of
/// tokens ahead, so scanning a whole text stays linear in its length.
struct DateScanner {
    let tokens: [DateToken]

    private enum NamedCalendar {
        case gregorian
        case hijri
    }

    /// Year, month and day as written, before calendars are resolved.
    private struct WrittenDate {
        var year: Int
        var month: Int
        var day: Int
        /// Which calendar the month name belongs to; `nil` for numeric months.
        var namedCalendar: NamedCalendar?
        var end: Int
    }

    private struct MonthName {
        var number: Int
        var calendar: NamedCalendar
        var end: Int
    }

    private enum Zone {
        case fixed(minutes: Int)
        case region(identifier: String)
    }

    private struct TimeOfDay {
        var hour: Int
        var minute: Int
        var second: Int?
        var zone: Zone?
        var end: Int
    }

    private enum Meridiem {
        case beforeNoon
        case afterNoon
        /// ظهرا: around midday, so 12 stays and 1–5 move to the afternoon.
        case midday
    }

    // MARK: - Matching

    /// The date expression starting at `start`, if any.
    func match(at start: Int) -> FoundDate? {
        if let found = dateExpression(at: start) { return found }
        // A time can precede its date: "14:49 - 19 يونيو 2024".
        if let time = time(at: start), var found = dateExpression(at: skippingConnectors(from: time.end)) {
            if found.date.hour == nil { apply(time, to: &found.date) }
            return found
        }
        return nil
    }

    /// `YYYYMMDD[THHMM[SS][Z]]` as a whole field value; in prose eight digits are rarely a date.
    func compactFieldDate() -> FoundDate? {
        guard let whole = number(at: 0, digits: 8...8) else { return nil }
        let year = whole / 10_000, month = whole / 100 % 100, day = whole % 100
        guard NewsDateParser.isValidGregorian(year: year, month: month, day: day) else { return nil }
        var date = NewsDate(year: year, month: month, day: day)
        var end = 1
        if lexeme(at: 1) == .isoTimeMark, isAttached(1), isAttached(2),
           let clock = number(at: 2, digits: 4...6), tokens[2].digitCount != 5 {
            let hasSeconds = tokens[2].digitCount == 6
            let hour = hasSeconds ? clock / 10_000 : clock / 100
            let minute = hasSeconds ? clock / 100 % 100 : clock % 100
            let second = hasSeconds ? clock % 100 : nil
            guard hour <= 23, minute <= 59, (second ?? 0) <= 59 else { return nil }
            date.hour = hour
            date.minute = minute
            date.second = second
            end = 3
            if case .zone(minutes: 0) = lexeme(at: 3), isAttached(3) {
                date.utcOffsetMinutes = 0
                end = 4
            }
        }
        guard end == tokens.count else { return nil }
        return FoundDate(date: date, isHijri: false, line: tokens[0].line, end: end)
    }

    private func dateExpression(at start: Int) -> FoundDate? {
        guard let written = numericDate(at: start) ?? namedDate(at: start) else { return nil }
        var end = written.end
        // An era mark after the year decides the calendar of numeric dates.
        var markedHijri = false
        switch lexeme(at: end) {
        case .hijriEra:
            guard written.namedCalendar != .gregorian else { return nil }
            markedHijri = true
            end += 1
        case .gregorianEra, .meem:
            guard written.namedCalendar != .hijri else { return nil }
            end += 1
        default:
            break
        }
        let isHijri = markedHijri || written.namedCalendar == .hijri
        var date: NewsDate
        if isHijri {
            guard let gregorian = HijriCalendar.gregorian(year: written.year, month: written.month, day: written.day) else { return nil }
            date = NewsDate(year: gregorian.year, month: gregorian.month, day: gregorian.day)
        } else {
            guard NewsDateParser.isValidGregorian(year: written.year, month: written.month, day: written.day) else { return nil }
            date = NewsDate(year: written.year, month: written.month, day: written.day)
        }
        let timeStart = skippingConnectors(from: end)
        if let time = time(at: timeStart, followsISOTimeMark: lexeme(at: timeStart - 1) == .isoTimeMark) {
            apply(time, to: &date)
            end = time.end
        }
        return FoundDate(date: date, isHijri: isHijri, line: tokens[start].line, end: end)
    }

    /// `YYYY-MM-DD`, `DD/MM/YYYY`, `DD.MM.YYYY`, `20 - 06 - 2024`: one separator used twice.
    private func numericDate(at start: Int) -> WrittenDate? {
        guard let separator = symbol(at: start + 1), separator == slash || separator == dash || separator == dot,
              symbol(at: start + 3) == separator
        else { return nil }
        let written: WrittenDate
        if let year = number(at: start, digits: 4...4), let month = number(at: start + 2, digits: 1...2),
           let day = number(at: start + 4, digits: 1...2) {
            written = WrittenDate(year: year, month: month, day: day, end: start + 5)
        } else if let first = number(at: start, digits: 1...2), let second = number(at: start + 2, digits: 1...2),
                  let year = number(at: start + 4, digits: 4...4) {
            // Day first, as Arabic and European sites write; a second part above 12 can only be a day.
            let (day, month) = second > 12 ? (second, first) : (first, second)
            written = WrittenDate(year: year, month: month, day: day, end: start + 5)
        } else {
            return nil
        }
        // Part of a longer run such as a version or phone number, not a date.
        let continuesBefore = start >= 2 && symbol(at: start - 1) == separator && tokens[start - 2].kind == .number
            && isAttached(start - 1) && isAttached(start)
        let continuesAfter = symbol(at: written.end) == separator && isAttached(written.end)
            && number(at: written.end + 1, digits: 1...2) != nil && isAttached(written.end + 1)
        return continuesBefore || continuesAfter ? nil : written
    }

    /// "20 June 2024", "20-Jun-2024", "13 ذو الحجة 1445", "June 20, 2024", "Jun. 20th 2024".
    private func namedDate(at start: Int) -> WrittenDate? {
        if let day = number(at: start, digits: 1...2) {
            var index = start + 1
            if lexeme(at: index) == .ordinalSuffix, isAttached(index) { index += 1 }
            if lexeme(at: index) == .dayMonthLink { index += 1 }
            if let mark = symbol(at: index), mark == dash || mark == slash || mark == dot { index += 1 }
            guard let month = monthName(at: index) else { return nil }
            index = month.end
            if let mark = symbol(at: index), mark == comma || mark == dash || mark == slash || mark == dot { index += 1 }
            guard let year = number(at: index, digits: 4...4) else { return nil }
            return WrittenDate(year: year, month: month.number, day: day, namedCalendar: month.calendar, end: index + 1)
        }
        guard let month = monthName(at: start), let day = number(at: month.end, digits: 1...2) else { return nil }
        var index = month.end + 1
        if lexeme(at: index) == .ordinalSuffix, isAttached(index) { index += 1 }
        if symbol(at: index) == comma { index += 1 }
        guard let year = number(at: index, digits: 4...4) else { return nil }
        return WrittenDate(year: year, month: month.number, day: day, namedCalendar: month.calendar, end: index + 1)
    }

    /// A month name of one or two words, with an optional alternative name in the other naming
    /// tradition: "حزيران/يونيو", "يونيو (حزيران)", "كانون الثاني - يناير".
    private func monthName(at start: Int, allowingAlternative: Bool = true) -> MonthName? {
        var month: MonthName
        switch lexeme(at: start) {
        case let .month(number, hijri):
            month = MonthName(number: number, calendar: hijri ? .hijri : .gregorian, end: start + 1)
        case let .monthPair(first, second, hijri):
            let picked: Int
            switch lexeme(at: start + 1) {
            case .ordinal(1): picked = first
            case .ordinal(2): picked = second
            default:
                // "كانون 2", "تشرين 1".
                switch number(at: start + 1, digits: 1...1) {
                case 1: picked = first
                case 2: picked = second
                default: return nil
                }
            }
            month = MonthName(number: picked, calendar: hijri ? .hijri : .gregorian, end: start + 2)
        case .dhu:
            guard case let .dhuMonth(number) = lexeme(at: start + 1) else { return nil }
            month = MonthName(number: number, calendar: .hijri, end: start + 2)
        default:
            return nil
        }
        if symbol(at: month.end) == dot, isAttached(month.end) { month.end += 1 }
        if allowingAlternative, let mark = symbol(at: month.end), mark == slash || mark == openParenthesis || mark == dash,
           let alternative = monthName(at: month.end + 1, allowingAlternative: false),
           alternative.number == month.number, alternative.calendar == month.calendar {
            month.end = alternative.end
            if mark == openParenthesis, symbol(at: month.end) == closeParenthesis { month.end += 1 }
        }
        return month
    }

    /// `HH:MM[:SS[.fff]]`, an optional AM/PM mark, and an optional zone; or `3 PM`.
    private func time(at start: Int, followsISOTimeMark: Bool = false) -> TimeOfDay? {
        guard var hour = number(at: start, digits: 1...2) else { return nil }
        var index = start + 1
        var minute = 0
        var second: Int?
        var hasMinutes = false
        if symbol(at: index) == colon, let minutes = number(at: index + 1, digits: 2...2) {
            minute = minutes
            hasMinutes = true
            index += 2
            if symbol(at: index) == colon, let seconds = number(at: index + 1, digits: 2...2) {
                second = seconds
                index += 2
                if let mark = symbol(at: index), mark == dot || mark == comma, isAttached(index), isAttached(index + 1),
                   index + 1 < tokens.count, tokens[index + 1].kind == .number {
                    index += 2
                }
            }
        }
        let meridiem = self.meridiem(at: index)
        guard hasMinutes || meridiem != nil else { return nil }
        if let meridiem {
            index = meridiem.end
            switch meridiem.kind {
            case .beforeNoon:
                guard (0...12).contains(hour) else { return nil }
                if hour == 12 { hour = 0 }
            case .afterNoon:
                // Some sites add م to 24-hour times ("14:30 م"); those hours stay.
                if hour < 12 { hour += 12 }
            case .midday:
                if hour < 6 { hour += 12 }
            }
        }
        guard hour <= 23, minute <= 59, (second ?? 0) <= 59 else { return nil }
        var time = TimeOfDay(hour: hour, minute: minute, second: second, zone: nil, end: index)
        // "10:00-12:00" is a range, but "T10:00-04:00" and "10:00:00-04:00" carry an offset.
        if let zone = zone(at: index, allowsNegativeClockOffset: followsISOTimeMark || second != nil) {
            time.zone = zone.zone
            time.end = zone.end
        }
        return time
    }

    private func meridiem(at index: Int) -> (kind: Meridiem, end: Int)? {
        switch lexeme(at: index) {
        case .morning: return (.beforeNoon, index + 1)
        case .evening, .meem: return (.afterNoon, index + 1)
        case .noon: return (.midday, index + 1)
        case .latinA, .latinP:
            // "a.m.", "p.m."
            var end = index + 1
            if symbol(at: end) == dot { end += 1 }
            guard lexeme(at: end) == .latinM else { return nil }
            end += 1
            if symbol(at: end) == dot, isAttached(end) { end += 1 }
            return (lexeme(at: index) == .latinA ? .beforeNoon : .afterNoon, end)
        default:
            return nil
        }
    }

    /// `Z`, `+03:00`, `+0300`, `GMT`, `GMT+3`, `(بتوقيت غرينتش)`, `ET`.
    private func zone(at start: Int, allowsNegativeClockOffset: Bool) -> (zone: Zone, end: Int)? {
        var index = start
        let opened = symbol(at: index) == openParenthesis
        if opened { index += 1 }
        if lexeme(at: index) == .zoneIntro { index += 1 }
        let zone: Zone
        switch lexeme(at: index) {
        case let .zone(minutes):
            index += 1
            if minutes == 0, let offset = signedOffset(at: index, afterZoneName: true, allowsNegativeClockOffset: true) {
                zone = .fixed(minutes: offset.minutes)
                index = offset.end
            } else {
                zone = .fixed(minutes: minutes)
            }
        case let .regionZone(identifier):
            index += 1
            zone = .region(identifier: identifier)
        default:
            guard let offset = signedOffset(at: index, afterZoneName: false,
                                            allowsNegativeClockOffset: allowsNegativeClockOffset) else { return nil }
            zone = .fixed(minutes: offset.minutes)
            index = offset.end
        }
        if opened, symbol(at: index) == closeParenthesis { index += 1 }
        return (zone, index)
    }

    /// `+03:00`, `+0300`, `+03`, `-04`, and after a zone name `+3`. The sign must touch its digits,
    /// and a dash touch its time too, so a dash between a time and the next words is not an offset.
    private func signedOffset(at index: Int, afterZoneName: Bool, allowsNegativeClockOffset: Bool) -> (minutes: Int, end: Int)? {
        guard let sign = symbol(at: index), sign == plus || sign == dash, isAttached(index + 1),
              index + 1 < tokens.count, tokens[index + 1].kind == .number
        else { return nil }
        let digits = tokens[index + 1].digitCount
        let value = tokens[index + 1].value
        let hours: Int, minutes: Int, end: Int
        if digits == 4 {
            (hours, minutes, end) = (value / 100, value % 100, index + 2)
        } else if digits <= 2, sign == plus || allowsNegativeClockOffset, symbol(at: index + 2) == colon, isAttached(index + 2),
                  let minutesPart = number(at: index + 3, digits: 2...2) {
            (hours, minutes, end) = (value, minutesPart, index + 4)
        } else if digits == 2, afterZoneName || sign == plus || (isAttached(index) && allowsNegativeClockOffset) {
            (hours, minutes, end) = (value, 0, index + 2)
        } else if digits == 1, afterZoneName {
            (hours, minutes, end) = (value, 0, index + 2)
        } else {
            return nil
        }
        guard hours <= 14, minutes <= 59 else { return nil }
        return ((sign == dash ? -1 : 1) * (hours * 60 + minutes), end)
    }

    /// Skips up to three tokens that may sit between a date and its time: `,`, `-`, `|`, `T`,
    /// "at", الساعة.
    private func skippingConnectors(from start: Int) -> Int {
        var index = start
        while index < tokens.count, index - start < 3 {
            let token = tokens[index]
            switch token.kind {
            case .symbol:
                let mark = UInt32(token.value)
                guard mark == comma || mark == dash || mark == slash || mark == verticalBar || mark == atSign
                    || mark == middleDot || mark == bullet || mark == openParenthesis
                else { return index }
            case .word:
                guard token.lexeme == .timeIntro || token.lexeme == .isoTimeMark else { return index }
            case .number:
                return index
            }
            index += 1
        }
        return index
    }

    private func apply(_ time: TimeOfDay, to date: inout NewsDate) {
        date.hour = time.hour
        date.minute = time.minute
        date.second = time.second
        switch time.zone {
        case let .fixed(minutes):
            date.utcOffsetMinutes = minutes
        case let .region(identifier):
            // The offset of ET or PT depends on daylight saving time on that day.
            guard let zone = TimeZone(identifier: identifier) else { break }
            let days = NewsDateParser.daysSinceEpoch(year: date.year, month: date.month, day: date.day)
            let wallClock = Date(timeIntervalSince1970: Double(days * 86_400 + time.hour * 3_600 + time.minute * 60))
            date.utcOffsetMinutes = zone.secondsFromGMT(for: wallClock) / 60
        case nil:
            break
        }
    }

    // MARK: - Token access

    private func number(at index: Int, digits: ClosedRange<Int32>) -> Int? {
        guard index < tokens.count, tokens[index].kind == .number, digits.contains(tokens[index].digitCount),
              tokens[index].value >= 0
        else { return nil }
        return tokens[index].value
    }

    private func symbol(at index: Int) -> UInt32? {
        guard index < tokens.count, tokens[index].kind == .symbol else { return nil }
        return UInt32(tokens[index].value)
    }

    private func lexeme(at index: Int) -> DateLexeme {
        index < tokens.count ? tokens[index].lexeme : .none
    }

    /// No whitespace between this token and the one before it.
    private func isAttached(_ index: Int) -> Bool {
        index < tokens.count && !tokens[index].spaceBefore
    }
}

private let slash: UInt32 = 0x2F
private let dash: UInt32 = 0x2D
private let dot: UInt32 = 0x2E
private let comma: UInt32 = 0x2C
private let colon: UInt32 = 0x3A
private let plus: UInt32 = 0x2B
private let openParenthesis: UInt32 = 0x28
private let closeParenthesis: UInt32 = 0x29
private let verticalBar: UInt32 = 0x7C
private let atSign: UInt32 = 0x40
private let middleDot: UInt32 = 0xB7
private let bullet: UInt32 = 0x2022
