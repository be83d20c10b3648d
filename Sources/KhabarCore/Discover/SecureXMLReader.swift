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
    }

    private let reader: xmlTextReaderPtr
    private let errors = ErrorLog()
    private let source: String
    /// Kept alive for the reader, which reads from it in place.
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var hasSeenElement = false

    /// - Parameter utf8: the document; copied, so the caller's buffer may go.
    init(utf8 bytes: [UInt8], source: String) throws(DiscoveryError) {
        _ = Self.initialized
        self.source = source
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { throw DiscoveryError(source: source, reason: .empty) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        self.buffer = buffer
        guard let reader = xmlReaderForMemory(
            buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, "UTF-8", Self.options)
        else {
            buffer.deallocate()
            throw DiscoveryError(source: source, reason: .malformedXML(line: 0, message: "libxml2 could not start a reader"))
        }
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
            guard let context, let error else { return }
            let log = Unmanaged<ErrorLog>.fromOpaque(context).takeUnretainedValue()
            log.count += 1
            let code = error.pointee.code
            if code == Int32(XML_ERR_ENTITY_LOOP.rawValue) { log.entityAmplification = true }
            if error.pointee.level == XML_ERR_FATAL, log.firstFatal == nil {
                let message = error.pointee.message.map { String(cString: $0) } ?? "error \(code)"
                log.firstFatal = (Int(error.pointee.line), message.trimmingSuffixNewlines())
            }
        }, Unmanaged.passUnretained(errors).toOpaque())
    }

    deinit {
        xmlFreeTextReader(reader)
        buffer.deallocate()
    }

    /// Moves to the next node. Returns false at the end of the document, or where libxml2 gave
    /// up on a broken document after its root element had started (what was read stands).
    func read() throws(DiscoveryError) -> Bool {
        let status = xmlTextReaderRead(reader)
        if errors.entityAmplification { throw DiscoveryError(source: source, reason: .entityExpansionRejected) }
        if status == 1 {
            if !hasSeenElement, xmlTextReaderNodeType(reader) == NodeType.element.rawValue { hasSeenElement = true }
            return true
        }
        if status < 0 && !hasSeenElement {
            let fatal = errors.firstFatal ?? (0, "no document element")
            throw DiscoveryError(source: source, reason: .malformedXML(line: fatal.line, message: fatal.message))
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
