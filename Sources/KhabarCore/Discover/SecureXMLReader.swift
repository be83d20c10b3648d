internal import CLibXML2
#if canImport(Glibc)
internal import Glibc
#endif

/// A streaming pull parser over libxml2's `xmlTextReader`, set up for hostile input.
///
/// Never fetches anything (`XML_PARSE_NONET`, and a process-wide external entity loader that
/// refuses every request), never loads a DTD, never substitutes entities (no
/// `XML_PARSE_NOENT`), and stops with `entityExpansionRejected` when libxml2 reports entity
/// amplification. Broken real-world markup is recovered. The bytes must be UTF-8 already: any
/// encoding declaration in the document is ignored, since feeds often declare the wrong one.
final class SecureXMLReader {
    enum NodeType: Int32 {
        case element = 1, attribute, text, cdata, entityReference, entity, processingInstruction, comment
        case document, documentType, documentFragment, notation, whitespace, significantWhitespace
        case endElement, endEntity, xmlDeclaration
    }

    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    private static let initialized: Void = {
        xmlInitParser()
        khabar_xml_silence_errors()
        khabar_xml_refuse_external_entities()
    }()

    private static let options = Int32(
        XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOBLANKS.rawValue | XML_PARSE_NOCDATA.rawValue
            | XML_PARSE_IGNORE_ENC.rawValue | XML_PARSE_COMPACT.rawValue)

    /// Errors libxml2 reported while reading; the first fatal one explains a failed parse.
    private final class ErrorLog {
        var firstFatal: (line: Int, message: String)?
        var entityAmplification = false
        var count = 0

        func record(_ error: xmlErrorPtr) {
            count += 1
            let code = error.pointee.code
            if code == Int32(XML_ERR_ENTITY_LOOP.rawValue) { entityAmplification = true }
            if error.pointee.level == XML_ERR_FATAL, firstFatal == nil {
                let message = error.pointee.message.map { String(cString: $0) } ?? "error \(code)"
                firstFatal = (Int(error.pointee.line), message.trimmingSuffixNewlines())
            }
        }
    }

    private let reader: xmlTextReaderPtr
    private let errors: ErrorLog
    private let source: String
    /// Streaming: the bytes, which the reader reads in place. Recovering: nil.
    private let buffer: UnsafeMutableRawBufferPointer?
    /// Recovering: the document the reader walks.
    private let document: xmlDocPtr?
    private(set) var hasSeenElement = false
    /// The streaming reader met an error it does not recover from; parse again with
    /// `init(recovering:source:)`.
    private(set) var streamingFailed = false

    /// Parses `bytes` with `body`, streaming. libxml2's streaming reader gives up at the first
    /// well-formedness error, so a broken document is parsed again, whole, by the recovering
    /// parser, and `body` runs once more from the start over that tree.
    static func parse<Result>(
        utf8 bytes: [UInt8], source: String, _ body: (SecureXMLReader) throws(DiscoveryError) -> Result
    ) throws(DiscoveryError) -> Result {
        let streaming = try SecureXMLReader(utf8: bytes, source: source)
        let result = try body(streaming)
        guard streaming.streamingFailed else { return result }
        return try body(streaming.recoveringReader())
    }

    /// A streaming reader. - Parameter utf8: the document; copied, so the caller's buffer may go.
    init(utf8 bytes: [UInt8], source: String) throws(DiscoveryError) {
        _ = Self.initialized
        self.source = source
        errors = ErrorLog()
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { throw DiscoveryError(source: source, reason: .empty) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        self.buffer = buffer
        document = nil
        guard let reader = xmlReaderForMemory(
            buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, "UTF-8", Self.options)
        else {
            buffer.deallocate()
            throw DiscoveryError(source: source, reason: .malformedXML(line: 0, message: "libxml2 could not start a reader"))
        }
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
            guard let context, let error else { return }
            Unmanaged<ErrorLog>.fromOpaque(context).takeUnretainedValue().record(error)
        }, Unmanaged.passUnretained(errors).toOpaque())
    }

    /// A reader over the tree libxml2's recovering parser makes of a broken document.
    init(recovering bytes: [UInt8], source: String) throws(DiscoveryError) {
        _ = Self.initialized
        self.source = source
        buffer = nil
        let errors = ErrorLog()
        self.errors = errors
        let parsed = bytes.withUnsafeBytes { raw in
            Result { () throws(DiscoveryError) in try Self.parseRecovering(raw, errors: errors, source: source) }
        }
        (document, reader) = try parsed.get()
    }

    /// A recovering reader over the same document as this streaming one, for when streaming
    /// failed (`streamingFailed`): it walks the whole document again from the start. The
    /// streaming reader holds its own copy of the bytes, so the caller need not keep them.
    func recoveringReader() throws(DiscoveryError) -> SecureXMLReader {
        guard let buffer else { throw DiscoveryError(source: source, reason: .malformedXML(line: 0, message: "already recovering")) }
        return try SecureXMLReader(recoveringFrom: UnsafeRawBufferPointer(buffer), source: source)
    }

    private init(recoveringFrom bytes: UnsafeRawBufferPointer, source: String) throws(DiscoveryError) {
        _ = Self.initialized
        self.source = source
        buffer = nil
        let errors = ErrorLog()
        self.errors = errors
        (document, reader) = try Self.parseRecovering(bytes, errors: errors, source: source)
    }

    private static func parseRecovering(
        _ bytes: UnsafeRawBufferPointer, errors: ErrorLog, source: String
    ) throws(DiscoveryError) -> (xmlDocPtr, xmlTextReaderPtr) {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max), let context = xmlNewParserCtxt() else {
            throw DiscoveryError(source: source, reason: .empty)
        }
        defer { xmlFreeParserCtxt(context) }
        // libxml2 hands a structured error handler the context; `_private` leads to the log.
        context.pointee._private = Unmanaged.passUnretained(errors).toOpaque()
        context.pointee.sax.pointee.serror = { userData, error in
            guard let userData, let error,
                  let log = userData.assumingMemoryBound(to: xmlParserCtxt.self).pointee._private else { return }
            Unmanaged<ErrorLog>.fromOpaque(log).takeUnretainedValue().record(error)
        }
        let parsed = xmlCtxtReadMemory(context, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, "UTF-8", Self.options)
        if errors.entityAmplification || Self.declaresNestedEntities(parsed) {
            if let parsed { xmlFreeDoc(parsed) }
            throw DiscoveryError(source: source, reason: .entityExpansionRejected)
        }
        guard let parsed, xmlDocGetRootElement(parsed) != nil, let reader = xmlReaderWalker(parsed) else {
            if let parsed { xmlFreeDoc(parsed) }
            let fatal = errors.firstFatal ?? (0, "no document element")
            throw DiscoveryError(source: source, reason: .malformedXML(line: fatal.line, message: fatal.message))
        }
        return (parsed, reader)
    }

    /// Whether the document's internal subset declares an entity whose text refers to another
    /// entity: the building block of every amplification attack, and of no real feed or sitemap.
    /// libxml2 stops the worst cases itself, but not on every path (its recovering parser
    /// leaves such references unexpanded without reporting), so this rule is the one relied on.
    static func declaresNestedEntities(_ document: xmlDocPtr?) -> Bool {
        guard let subset = document?.pointee.intSubset else { return false }
        var node = subset.pointee.children
        while let current = node {
            node = current.pointee.next
            guard current.pointee.type == XML_ENTITY_DECL else { continue }
            let entity = UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlEntity.self)
            guard var cursor = entity.pointee.orig ?? entity.pointee.content else { continue }
            while cursor.pointee != 0 {
                // `&#…;` is a character reference; `&name;` names an entity.
                if cursor.pointee == UInt8(ascii: "&"), cursor[1] != UInt8(ascii: "#") { return true }
                cursor += 1
            }
        }
        return false
    }

    /// Whether libxml2 would open `url` for an external entity or DTD (it must not; for tests).
    static func wouldLoadExternalEntity(_ url: String) -> Bool {
        _ = initialized
        guard let context = xmlNewParserCtxt() else { return false }
        defer { xmlFreeParserCtxt(context) }
        guard let input = xmlLoadExternalEntity(url, nil, context) else { return false }
        xmlFreeInputStream(input)
        return true
    }

    deinit {
        // A walker reader does not own its document.
        xmlFreeTextReader(reader)
        if let document { xmlFreeDoc(document) }
        buffer?.deallocate()
    }

    /// Moves to the next node. Returns false at the end of the document, or when the streaming
    /// reader gives up on a broken document (`streamingFailed`).
    func read() throws(DiscoveryError) -> Bool {
        let status = xmlTextReaderRead(reader)
        if errors.entityAmplification { throw DiscoveryError(source: source, reason: .entityExpansionRejected) }
        if status == 1 {
            if !hasSeenElement, xmlTextReaderNodeType(reader) == NodeType.element.rawValue {
                hasSeenElement = true
                // The internal subset is complete once the root element starts. The document is
                // reached through the current node: `xmlTextReaderCurrentDoc` would make the
                // reader keep every node and never free the document (it leaked one per parse).
                if Self.declaresNestedEntities(xmlTextReaderCurrentNode(reader)?.pointee.doc) {
                    throw DiscoveryError(source: source, reason: .entityExpansionRejected)
                }
            }
            return true
        }
        if status < 0 && document == nil {
            streamingFailed = true
            return false
        }
        if !hasSeenElement {
            throw DiscoveryError(source: source, reason: .unrecognizedFormat(found: "no XML element"))
        }
        return false
    }

    /// Whether libxml2 reported any error, recovered or not.
    var hadErrors: Bool { errors.count > 0 }

    var nodeType: NodeType? { NodeType(rawValue: xmlTextReaderNodeType(reader)) }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// The local name of the current node (no prefix).
    var localName: String { xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? "" }

    /// Whether the local name is `name`, without building a String.
    func localNameIs(_ name: StaticString) -> Bool {
        guard let current = xmlTextReaderConstLocalName(reader) else { return false }
        return name.withUTF8Buffer { wanted in
            strncmp(UnsafeRawPointer(current).assumingMemoryBound(to: CChar.self),
                    UnsafeRawPointer(wanted.baseAddress!).assumingMemoryBound(to: CChar.self), wanted.count) == 0
                && current[wanted.count] == 0
        }
    }

    /// The namespace URI of the current node, or nil.
    var namespaceURI: String? { xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) } }

    /// The text of a text or CDATA node.
    var value: String? { xmlTextReaderConstValue(reader).map { String(cString: $0) } }

    var hasAttributes: Bool { xmlTextReaderHasAttributes(reader) == 1 }

    /// The attribute `name` (no namespace) of the current element.
    func attribute(_ name: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { khabar_xml_free(value) }
        return String(cString: value)
    }

    func attribute(_ localName: String, namespace: String) -> String? {
        guard let value = xmlTextReaderGetAttributeNs(reader, localName, namespace) else { return nil }
        defer { khabar_xml_free(value) }
        return String(cString: value)
    }

    /// The markup inside the current element, for XHTML content; the reader stays on the element.
    func innerXML() -> String {
        guard let markup = xmlTextReaderReadInnerXml(reader) else { return "" }
        defer { khabar_xml_free(markup) }
        return String(cString: markup)
    }
}

extension String {
    fileprivate func trimmingSuffixNewlines() -> String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
