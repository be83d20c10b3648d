internal import CLibXML2

/// The physical floor of extraction: libxml2's HTML parse of the raw page bytes and nothing
/// else (no charset decoding, no tree copy, no scoring). `khabar extract --benchmark-batch
/// --benchmark-parse-only` times it, the counterpart of evaluate.py's `parse-lxml` peer, so a
/// benchmark run shows how much of khabar's time is parsing and how much is everything after.
public enum ParseBaseline {
    /// Parses `bytes` as HTML and returns the number of children of the root element (0 when
    /// libxml2 makes no document), so the optimizer cannot drop the parse.
    public static func parse(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { buffer in
            LibXML.withHTMLDocument(utf8: buffer, baseURL: nil) { document -> Int in
                guard let document, let root = xmlDocGetRootElement(document) else { return 0 }
                return Int(xmlChildElementCount(root))
            }
        }
    }
}
