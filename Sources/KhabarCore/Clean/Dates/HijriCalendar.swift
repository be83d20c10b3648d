internal import Foundation

/// Converts Hijri dates with the Umm al-Qura calendar, the one Saudi and Gulf sites print.
enum HijriCalendar {
    private static let ummAlQura: Calendar = utc(.islamicUmmAlQura)
    private static let gregorian: Calendar = utc(.gregorian)

    private static func utc(_ identifier: Calendar.Identifier) -> Calendar {
        var calendar = Calendar(identifier: identifier)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }

    /// Years a news date can have: 1400 AH began in 1979, 1500 AH begins in 2077.
    static let plausibleYears = 1400...1500

    /// The Gregorian year, month and day, or `nil` for a day the Hijri month does not have.
    static func gregorian(year: Int, month: Int, day: Int) -> (year: Int, month: Int, day: Int)? {
        guard plausibleYears.contains(year), (1...12).contains(month), (1...30).contains(day),
              let monthStart = ummAlQura.date(from: DateComponents(year: year, month: month, day: 1)),
              let monthLength = ummAlQura.range(of: .day, in: .month, for: monthStart)?.count,
              day <= monthLength
        else { return nil }
        let date = monthStart.addingTimeInterval(Double(day - 1) * 86_400)
        let parts = gregorian.dateComponents([.year, .month, .day], from: date)
        guard let gregorianYear = parts.year, let gregorianMonth = parts.month, let gregorianDay = parts.day else { return nil }
        return (gregorianYear, gregorianMonth, gregorianDay)
    }
}
