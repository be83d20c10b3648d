import FuzzSupport
import KhabarCore

/// `WARCReader` (plain or gzip members): reading ends (with records or an error) within a
/// bounded number of calls, every response respects the size limits, has a target URI and an
/// HTTP status code (or 0 when it has no readable status line).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Invariant.bytes(data, size)
    let limits = WARCReader.Limits(maxRecordBytes: 1 << 20, maxDecodedBodyBytes: 1 << 20)
    let reader = WARCReader(bytes: bytes, source: "fuzz.warc", limits: limits)
    var records = 0
    while true {
        let response: WARCResponse?
        do {
            response = try reader.next()
        } catch {
            break
        }
        guard let response else { break }
        records += 1
        // Each record takes at least a header line: more records than bytes means a loop.
        Invariant.check(records <= size + 1, "more records (\(records)) than input bytes (\(size))")
        Invariant.check(response.body.count <= limits.maxDecodedBodyBytes, "body of \(response.body.count) bytes over the limit")
        Invariant.check(!response.targetURI.isEmpty, "response without WARC-Target-URI")
        // 0 stands for "no readable status line"; anything else is a real status code.
        Invariant.check(response.httpStatus == 0 || (100...999).contains(response.httpStatus), "HTTP status \(response.httpStatus)")
    }
    return 0
}
