import Foundation
import Testing
@testable import KhabarCore

/// 2024-11-25T00:00:00Z: every test parses against this fixed "now".
private let now = Date(timeIntervalSince1970: 1_732_492_800)

private func parsed(_ text: String) -> String? {
    NewsDateParser.parse(text, now: now)?.iso8601
}

@Suite struct NewsDateParserTests {
    @Test(arguments: [
        ("2024-06-19", "2024-06-19"),
        ("2024-06-19T10:15:30Z", "2024-06-19T10:15:30Z"),
        ("2024-06-19T10:15:30.123Z", "2024-06-19T10:15:30Z"),
        ("2024-06-19T10:15:30.123456-04:00", "2024-06-19T10:15:30-04:00"),
        ("2024-06-19 10:15:30", "2024-06-19T10:15:30"),
        ("2024-06-19T10:15:30+03:00", "2024-06-19T10:15:30+03:00"),
        ("2024-06-19T10:15:30+0300", "2024-06-19T10:15:30+03:00"),
        ("2024-06-19T10:15:30+03", "2024-06-19T10:15:30+03:00"),
        ("2024-06-19T10:15+05:30", "2024-06-19T10:15:00+05:30"),
        ("2024-06-19 10:15:30 +0300", "2024-06-19T10:15:30+03:00"),
        ("2024-06-19T10:15:30 GMT+3", "2024-06-19T10:15:30+03:00"),
        ("  2024-06-19T10:15:30Z\n", "2024-06-19T10:15:30Z"),
        ("2024/06/19", "2024-06-19"),
        ("2024.06.19", "2024-06-19"),
        ("2024/6/9 08:00", "2024-06-09T08:00:00"),
        ("20240619", "2024-06-19"),
        ("20240619T101530Z", "2024-06-19T10:15:30Z"),
        ("20240619T1015", "2024-06-19T10:15:00"),
    ])
    func isoAndRFC3339(text: String, expected: String) {
        #expect(parsed(text) == expected)
    }

    /// Eight digits are a date only as a whole field value, never inside prose.
    @Test(arguments: ["رقم القضية 20240619 لسنة", "order 20240619", "2024061", "20241319", "20240230", "20240619T2515"])
    func compactDigitsOutsideAFieldAreNotDates(text: String) {
        #expect(parsed(text) == nil)
    }

    @Test(arguments: [
        ("Thu, 20 Jun 2024 10:00:00 GMT", "2024-06-20T10:00:00Z"),
        ("Thu, 20 Jun 2024 10:00:00 +0300", "2024-06-20T10:00:00+03:00"),
        ("Thu, 20 Jun 2024 10:00:00 -0000", "2024-06-20T10:00:00Z"),
        ("Wed, 19 Jun 2024 22:05:00 EDT", "2024-06-19T22:05:00-04:00"),
        ("Wed, 18 Dec 2024 22:05:00 EST", nil),
        ("Wed, 18 Oct 2023 22:05:00 EST", "2023-10-18T22:05:00-05:00"),
        ("Wed, 19 Jun 2024 22:05 PST", "2024-06-19T22:05:00-08:00"),
        ("19 Jun 2024 22:05:00 UTC", "2024-06-19T22:05:00Z"),
        ("Mon, 01 Jan 2024 00:00:00 CET", "2024-01-01T00:00:00+01:00"),
        ("Wed Jun 19 2024 10:15:30 GMT+0300 (Arabian Standard Time)", "2024-06-19T10:15:30+03:00"),
        ("19 Jun 2024 10:15 +03", "2024-06-19T10:15:00+03:00"),
        ("19 Jun 2024 10:15 -04", "2024-06-19T10:15:00"),
    ] as [(String, String?)])
    func rfc822(text: String, expected: String?) {
        #expect(parsed(text) == expected)
    }

    @Test(arguments: [
        ("June 20, 2024", "2024-06-20"),
        ("20 June 2024", "2024-06-20"),
        ("Jun. 20, 2024", "2024-06-20"),
        ("Jun 20 2024", "2024-06-20"),
        ("Sept. 3, 2024", "2024-09-03"),
        ("20-Jun-2024", "2024-06-20"),
        ("the 20th of June, 2024", "2024-06-20"),
        ("June 1st, 2024", "2024-06-01"),
        ("Thursday, June 20, 2024 3:15 PM", "2024-06-20T15:15:00"),
        ("Published June 20, 2024 at 3:15 p.m. ET", "2024-06-20T15:15:00-04:00"),
        ("Updated: Jan. 5, 2024 at 9:05 a.m. ET", "2024-01-05T09:05:00-05:00"),
        ("December 12 2023, 12:30 am", "2023-12-12T00:30:00"),
        ("December 12 2023, 12:30 PM", "2023-12-12T12:30:00"),
        ("Posted 5 November 2024 - 8 PM", "2024-11-05T20:00:00"),
        ("3:15 PM on June 20, 2024", "2024-06-20T15:15:00"),
        ("20 juin 2024", "2024-06-20"),
        ("May 2024", nil),
        ("June 20", nil),
    ] as [(String, String?)])
    func englishMonthNames(text: String, expected: String?) {
        #expect(parsed(text) == expected)
    }

    @Test(arguments: [
        ("20/06/2024", "2024-06-20"),
        ("20-06-2024", "2024-06-20"),
        ("20.06.2024", "2024-06-20"),
        ("20 - 06 - 2024", "2024-06-20"),
        ("19-06-2024", "2024-06-19"),
        ("05/06/2024", "2024-06-05"),
        ("1/2/2024", "2024-02-01"),
        ("06/20/2024", "2024-06-20"),
        ("نشر في الوطن يوم 20 - 06 - 2024", "2024-06-20"),
        ("20/06/2024 14:30", "2024-06-20T14:30:00"),
        ("20/06/2024 - 02:30 م", "2024-06-20T14:30:00"),
        ("20\u{200F}/06\u{200F}/2024", "2024-06-20"),
        ("32/01/2024", nil),
        ("13/13/2024", nil),
        ("20/06-2024", nil),
        ("version 1.20.06.2024", nil),
    ] as [(String, String?)])
    func numericDayFirst(text: String, expected: String?) {
        #expect(parsed(text) == expected)
    }

    /// Every spelling of every month, in every naming tradition, at the 15th of its month.
    @Test(arguments: [
        ("يناير", 1), ("فبراير", 2), ("مارس", 3), ("أبريل", 4), ("ابريل", 4), ("إبريل", 4), ("مايو", 5),
        ("يونيو", 6), ("يونية", 6), ("يوليو", 7), ("يوليه", 7), ("أغسطس", 8), ("اغسطس", 8), ("سبتمبر", 9),
        ("أكتوبر", 10), ("اكتوبر", 10), ("نوفمبر", 11), ("ديسمبر", 12),
        ("كانون الثاني", 1), ("شباط", 2), ("آذار", 3), ("اذار", 3), ("نيسان", 4), ("أيار", 5), ("ايار", 5),
        ("حزيران", 6), ("تموز", 7), ("آب", 8), ("اب", 8), ("أيلول", 9), ("تشرين الأول", 10), ("تشرين الثاني", 11),
        ("كانون الأول", 12), ("كانون 2", 1), ("كانون 1", 12), ("تشرين 1", 10), ("تشرين 2", 11), ("كانون ثاني", 1),
        ("تشرين اول", 10),
        ("جانفي", 1), ("فيفري", 2), ("أفريل", 4), ("ماي", 5), ("جوان", 6), ("جويلية", 7), ("جويليه", 7), ("أوت", 8),
        ("يوليوز", 7), ("غشت", 8), ("شتنبر", 9), ("نونبر", 11), ("دجنبر", 12),
    ])
    func arabicMonthNames(name: String, month: Int) {
        let expected = String(format: "2023-%02d-15", month)
        #expect(parsed("15 \(name) 2023") == expected)
        #expect(parsed("الأحد، 15 \(name)، 2023") == expected)
    }

    @Test(arguments: [
        ("الخميس، 20 يونيو 2024", "2024-06-20"),
        ("٢٠ يونيو ٢٠٢٤", "2024-06-20"),
        ("۲۰/۰۶/۲۰۲۴", "2024-06-20"),
        ("١٩/١١/٢٠٢٤ ١٠:٣٠", "2024-11-19T10:30:00"),
        ("20 يـونـيـو 2024", "2024-06-20"),
        ("20 يُونْيُو 2024", "2024-06-20"),
        ("20\u{00A0}يونيو\u{00A0}2024", "2024-06-20"),
        ("20 حزيران/يونيو 2024", "2024-06-20"),
        ("20 حزيران / يونيو 2024", "2024-06-20"),
        ("20 يونيو (حزيران) 2024", "2024-06-20"),
        ("20 كانون الثاني/يناير 2024", "2024-01-20"),
        ("20 من يونيو 2024", "2024-06-20"),
        ("الثلاثاء، 19 نوفمبر 2024 02:31 م", "2024-11-19T14:31:00"),
        ("الثلاثاء 19 نوفمبر 2024 - 09:15 ص", "2024-11-19T09:15:00"),
        ("20 يونيو 2024 12:30 صباحاً", "2024-06-20T00:30:00"),
        ("20 يونيو 2024 08:45 مساءً", "2024-06-20T20:45:00"),
        ("20 يونيو 2024 الساعة 1 ظهرا", "2024-06-20T13:00:00"),
        ("نيسان ـ نشر في 2024-06-19 الساعة 14:49", "2024-06-19T14:49:00"),
        ("2024-06-19 الساعة 14:49", "2024-06-19T14:49:00"),
        ("20 يونيو 2024م", "2024-06-20"),
        ("19 نوفمبر 2024م، 02:31 م", "2024-11-19T14:31:00"),
        ("14:49 - 19 يونيو 2024", "2024-06-19T14:49:00"),
        ("20 يونيو 2024 10:00 بتوقيت غرينتش", "2024-06-20T10:00:00Z"),
        ("20 يونيو", nil),
        ("يونيو 2024", nil),
    ] as [(String, String?)])
    func arabicDateLines(text: String, expected: String?) {
        #expect(parsed(text) == expected)
    }

    @Test(arguments: [
        ("13 ذو الحجة 1445 هـ", "2024-06-19"),
        ("١٣ ذي الحجة ١٤٤٥هـ", "2024-06-19"),
        ("13 ذوالحجة 1445", "2024-06-19"),
        ("1 رمضان 1445", "2024-03-11"),
        ("1 شوال 1445 هـ", "2024-04-10"),
        ("1 محرم 1446 هـ", "2024-07-07"),
        ("12 ربيع الأول 1446", "2024-09-15"),
        ("13/12/1445 هـ", "2024-06-19"),
        ("1445/12/13هـ", "2024-06-19"),
        ("13 ذو الحجة 1445 هـ 10:30", "2024-06-19T10:30:00"),
        ("31 رمضان 1445", nil),
        ("13 ذو الحجة 2024", nil),
        ("13 يونيو 1445 هـ", nil),
        ("1 محرم 1446 هـ - 20 يونيو 2024", "2024-06-20"),
        ("الأربعاء 13 ذو الحجة 1445 هـ الموافق 19 يونيو 2024 م", "2024-06-19"),
    ] as [(String, String?)])
    func hijriDates(text: String, expected: String?) {
        #expect(parsed(text) == expected)
    }

    /// Hamza, taa marbuta, alef maksura, tatweel, diacritics and shadda do not change a name.
    @Test(arguments: [
        ("13 ذى الحجة 1445", "2024-06-19"),
        ("13 ذو الحجه 1445", "2024-06-19"),
        ("13 ذُو الحِجَّة 1445 هـ", "2024-06-19"),
        ("13 ذو الحـجـة 1445 ه", "2024-06-19"),
        ("12 ربيع الأوّل 1446", "2024-09-15"),
        ("12 ربيع أول 1446", "2024-09-15"),
        ("1 رَمَضَان 1445", "2024-03-11"),
        ("15 أغُسطُس 2023", "2023-08-15"),
        ("15 إبريل 2023", "2023-04-15"),
        ("15 آيار 2023", "2023-05-15"),
        ("15 يوليـه 2023", "2023-07-15"),
    ])
    func arabicSpellingVariants(text: String, expected: String) {
        #expect(parsed(text) == expected)
    }

    /// Each Hijri month name maps to its month, checked against Foundation's Umm al-Qura calendar.
    @Test(arguments: [
        ("محرم", 1), ("المحرم", 1), ("صفر", 2), ("ربيع الأول", 3), ("ربيع الاول", 3), ("ربيع الآخر", 4),
        ("ربيع الثاني", 4), ("جمادى الأولى", 5), ("جمادي الاولى", 5), ("جمادى الآخرة", 6), ("جمادى الثانية", 6),
        ("رجب", 7), ("شعبان", 8), ("رمضان", 9), ("شوال", 10), ("ذو القعدة", 11), ("ذي القعدة", 11),
        ("ذو الحجة", 12), ("ذي الحجة", 12),
    ])
    func hijriMonthNames(name: String, month: Int) throws {
        var hijri = Calendar(identifier: .islamicUmmAlQura)
        hijri.timeZone = try #require(TimeZone(identifier: "UTC"))
        let day = try #require(hijri.date(from: DateComponents(year: 1444, month: month, day: 10)))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = hijri.timeZone
        #expect(parsed("10 \(name) 1444 هـ") == formatter.string(from: day))
    }

    @Test(arguments: [
        "منذ 3 ساعات", "قبل يومين", "منذ 5 دقائق", "2 hours ago", "أمس", "yesterday", "today at 10:30",
        "اليوم 10:30 ص", "", "   ", "\n\n", "ليس هنا أي تاريخ",
    ])
    func relativeOrMissingDatesAreNotGuessed(text: String) {
        #expect(parsed(text) == nil)
    }

    @Test(arguments: [
        ("2030-01-01", nil),
        ("20 يونيو 2099", nil),
        ("1989-12-31", nil),
        ("1990-01-01", "1990-01-01"),
        ("2024-11-26", "2024-11-26"),
        ("2024-11-27", nil),
        ("31 February 2024", nil),
        ("30 فبراير 2024", nil),
        ("2023-02-29", nil),
        ("29/02/2024", "2024-02-29"),
        ("2024-13-01", nil),
        ("2024-04-31", nil),
        ("2024-00-10", nil),
        ("1 محرم 1500 هـ", nil),
    ] as [(String, String?)])
    func implausibleDatesAreRejected(text: String, expected: String?) {
        #expect(parsed(text) == expected)
    }

    /// A date beyond the plausible range does not hide a later valid one.
    @Test func parseSkipsImplausibleDates() {
        #expect(parsed("2099-01-01 ثم 2024-06-20") == "2024-06-20")
    }

    @Test(arguments: [
        ("20 يونيو 2024 10:05:07", NewsDate(year: 2024, month: 6, day: 20, hour: 10, minute: 5, second: 7)),
        ("20 يونيو 2024 10:05", NewsDate(year: 2024, month: 6, day: 20, hour: 10, minute: 5)),
        ("20 يونيو 2024", NewsDate(year: 2024, month: 6, day: 20)),
        ("2024-06-20T10:05:07+03:00", NewsDate(year: 2024, month: 6, day: 20, hour: 10, minute: 5, second: 7, utcOffsetMinutes: 180)),
        ("2024-06-20 10:05 -0430", NewsDate(year: 2024, month: 6, day: 20, hour: 10, minute: 5, utcOffsetMinutes: -270)),
        ("20/06/2024 25:00", NewsDate(year: 2024, month: 6, day: 20)),
        ("20/06/2024 10:61", NewsDate(year: 2024, month: 6, day: 20)),
        ("20/06/2024 10:00 +1500", NewsDate(year: 2024, month: 6, day: 20, hour: 10, minute: 0)),
        ("20/06/2024 10:00-12:00", NewsDate(year: 2024, month: 6, day: 20, hour: 10, minute: 0)),
        ("2024-06-20T10:00-04:00", NewsDate(year: 2024, month: 6, day: 20, hour: 10, minute: 0, utcOffsetMinutes: -240)),
        ("2024-06-20 10:00:00-04", NewsDate(year: 2024, month: 6, day: 20, hour: 10, minute: 0, second: 0, utcOffsetMinutes: -240)),
    ])
    func timesKeepOnlyWhatIsWritten(text: String, expected: NewsDate) {
        #expect(NewsDateParser.parse(text, now: now) == expected)
    }

    @Test(arguments: [
        ("نشر في 20 يونيو 2024 وتم تحديثه في 21/06/2024 الساعة 10:00", ["2024-06-20", "2024-06-21T10:00:00"]),
        ("Published June 20, 2024. Updated June 21, 2024 at 9:00 AM GMT.", ["2024-06-20", "2024-06-21T09:00:00Z"]),
        ("قال الوزير إن الاجتماع سيعقد قريبا، دون تحديد موعد.", []),
        ("عقد المؤتمر في 5 مايو 2023 ويستمر حتى 5 مايو 2099.", ["2023-05-05"]),
        ("13 ذو الحجة 1445 هـ الموافق 19 يونيو 2024", ["2024-06-19"]),
        ("1 محرم 1446 هـ\nنشر 20 يونيو 2024", ["2024-07-07", "2024-06-20"]),
        ("منذ 3 ساعات | 2 hours ago | أمس", []),
        ("الهاتف 0100-123-4567 والرقم 1.2.3", []),
        ("20240619", []),
    ])
    func datesInProse(text: String, expected: [String]) {
        #expect(NewsDateParser.dates(in: text, now: now).map(\.iso8601) == expected)
    }

    @Test func defaultNowAcceptsRecentDates() {
        #expect(NewsDateParser.parse("2024-06-19")?.iso8601 == "2024-06-19")
    }
}

@Suite struct NewsDateParserRobustnessTests {
    @Test func aMegabyteOfDigitsIsNotADate() {
        let digits = String(repeating: "1234567890", count: 100_000)
        #expect(NewsDateParser.parse(digits, now: now) == nil)
        #expect(NewsDateParser.dates(in: digits, now: now).isEmpty)
    }

    /// Inputs built to make a backtracking matcher re-read the same tokens again and again.
    @Test(arguments: ["1/", "20 يونيو ", "١٢:٣٠ - ", "كانون ", "+", "2024-06-", "Jun. 1, "])
    func longRepetitiveInputRunsInLinearTime(unit: String) {
        let text = String(repeating: unit, count: 200_000 / unit.count)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            _ = NewsDateParser.parse(text, now: now)
            _ = NewsDateParser.dates(in: text, now: now)
        }
        #expect(elapsed < .seconds(10))
    }

    @Test func manyDatesInALongTextAreAllFound() {
        let text = String(repeating: "خبر نشر في 20 يونيو 2024 ثم ", count: 5_000)
        let found = NewsDateParser.dates(in: text, now: now)
        #expect(found.count == 5_000)
        #expect(found.allSatisfy { $0.iso8601 == "2024-06-20" })
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func randomInputNeverCrashesNorYieldsImplausibleDates(seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let alphabet = Array("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹/-.:,،+() ـTZhمصيونيوذوالحجةهـكانون2\n\u{200F}".unicodeScalars)
        for _ in 0..<200 {
            let length = Int(generator.next() % 200)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length { scalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            for text in [String(scalars), String(decoding: bytes, as: UTF8.self)] {
                let dates = NewsDateParser.dates(in: text, now: now) + [NewsDateParser.parse(text, now: now)].compactMap { $0 }
                #expect(dates.allSatisfy { NewsDateParser.isPlausible($0, now: now) })
            }
        }
    }

    /// The hand-written `iso8601` against `String(format:)`, for field values in and out of
    /// the digits' range, with and without a time and a zone.
    @Test func iso8601IsWhatStringFormatWrites() {
        var generator = SeededRandom(seed: 0x6973_6F38)
        func value(_ range: ClosedRange<Int>) -> Int {
            // Mostly in range; now and then an edge or a value far outside.
            switch generator.next() % 10 {
            case 0: return [range.lowerBound, range.upperBound, -1, range.upperBound + 1, 10_000, -10_000][Int(generator.next() % 6)]
            default: return range.lowerBound + Int(generator.next() % UInt64(range.count))
            }
        }
        for _ in 0..<20_000 {
            var date = NewsDate(year: value(0...9999), month: value(0...99), day: value(0...99))
            if generator.next() % 4 != 0 {
                date.hour = value(0...99)
                if generator.next() % 4 != 0 { date.minute = value(0...99) }
                if generator.next() % 4 != 0 { date.second = value(0...99) }
                if generator.next() % 2 == 0 { date.utcOffsetMinutes = generator.next() % 5 == 0 ? 0 : value(-5999...5999) }
            }
            #expect(date.iso8601 == date.formattedISO8601, "\(date)")
        }
    }
}
