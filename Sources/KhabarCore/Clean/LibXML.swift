internal import CLibXML2

/// One-time libxml2 set-up and scoped access to parsed HTML documents.
///
/// `xmlInitParser` runs once per process; `xmlCleanupParser` is never called, since it may crash
/// a thread still using libxml2.
enum LibXML {
    private static let initialized: Void = {
        xmlInitParser()
        khabar_xml_silence_errors()
    }()

    /// Options for every HTML parse: recover from broken markup, print nothing, never touch the
    /// network, and ignore the document's own charset declaration (bytes arrive already as UTF-8).
    /// `XML_PARSE_HUGE` lifts the 256-level depth cap, past which libxml2 would silently drop
    /// the rest of the page; every walk over the tree is iterative, so depth costs no stack.
    static let htmlOptions: Int32 = Int32(
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue | HTML_PARSE_IGNORE_ENC.rawValue)
        | Int32(XML_PARSE_HUGE.rawValue)

    /// Parses UTF-8 HTML with a SAX handler; no document is built.
    /// - Parameter context: passed to every callback of `handler`.
    static func parseHTML(utf8 bytes: UnsafeRawBufferPointer, handler: htmlSAXHandler, context: UnsafeMutableRawPointer) {
        _ = initialized
        guard let base = bytes.baseAddress, bytes.count > 0, bytes.count < Int(Int32.max),
              let parser = htmlCreateMemoryParserCtxt(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        else { return }
        defer {
            if let document = parser.pointee.myDoc { xmlFreeDoc(document) }
            htmlFreeParserCtxt(parser)
        }
        parser.pointee.sax.pointee = handler
        parser.pointee.userData = context
        _ = htmlCtxtUseOptions(parser, htmlOptions)
        // The bytes are UTF-8 already; without this libxml2 assumes ISO-8859-1.
        _ = xmlSwitchEncoding(parser, XML_CHAR_ENCODING_UTF8)
        _ = htmlParseDocument(parser)
    }

    /// Parses UTF-8 HTML and hands the document to `body`; the document is freed when `body`
    /// returns, so no node pointer may escape it.
    static func withHTMLDocument<Result>(
        utf8 bytes: UnsafeRawBufferPointer, baseURL: String?,
        _ body: (xmlDocPtr?) throws -> Result
    ) rethrows -> Result {
        _ = initialized
        // libxml2 treats an empty buffer as an error; a single space parses to an empty document.
        guard let base = bytes.baseAddress, bytes.count > 0, bytes.count < Int(Int32.max) else {
            return try body(nil)
        }
        let document = htmlReadMemory(
            base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), baseURL, "UTF-8", htmlOptions)
        defer { if let document { xmlFreeDoc(document) } }
        return try body(document)
    }
}
