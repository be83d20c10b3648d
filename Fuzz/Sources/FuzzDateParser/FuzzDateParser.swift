import Foundation
import FuzzSupport
import KhabarCore

/// `NewsDateParser`: every date it returns is a real calendar day from 1990 to a day after now,
/// with a valid time and zone, and its ISO 8601 form reads back as the same date.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = Invariant.text(data, size)
    let now = Date(timeIntervalSince1970: Invariant.startSeconds)
    if let date = NewsDateParser.parse(text, now: now) {
        Invariant.checkDate(date, "parse")
        let iso = date.iso8601
        let again = NewsDateParser.parse(iso, now: now)
        Invariant.check(again?.iso8601 == iso, "parse(\(iso)) reads back as \(again?.iso8601 ?? "nil")")
    }
    for date in NewsDateParser.dates(in: text, now: now) {
        Invariant.checkDate(date, "dates(in:)")
    }
    return 0
}
