import FuzzSupport
import KhabarCore

/// `URLCanonicalizer`: the first input line is a URL or reference, the second (if any) a base.
/// A canonical URL is absolute http(s), printable ASCII without a fragment, and canonicalizing
/// it again changes nothing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = Invariant.text(data, size)
    let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let reference = String(lines[0])
    let base = lines.count > 1 ? String(lines[1]) : nil
    let canonicalizer = URLCanonicalizer()
    if let canonical = canonicalizer.canonicalize(reference) {
        check(canonical, canonicalizer)
    }
    if let base, let canonical = canonicalizer.canonicalize(reference, relativeTo: base) {
        check(canonical, canonicalizer)
    }
    return 0
}

func check(_ canonical: String, _ canonicalizer: URLCanonicalizer) {
    Invariant.checkWebURL(canonical, "canonical URL")
    Invariant.check(canonical.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F },
                    "canonical URL is not printable ASCII: \(Invariant.debug(canonical))")
    Invariant.check(!canonical.contains("#"), "canonical URL keeps a fragment: \(Invariant.debug(canonical))")
    let again = canonicalizer.canonicalize(canonical)
    Invariant.check(again == canonical, "canonicalization is not idempotent:\n  once:  \(Invariant.debug(canonical))\n  twice: \(again.map(Invariant.debug) ?? "nil")")
}
