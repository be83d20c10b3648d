internal import CLibXML2
#if canImport(Glibc)
internal import Glibc
#endif

/// A parsed HTML page as a flat, immutable arena of nodes.
///
/// libxml2's DOM is copied once into Swift arrays: element tags become a small enum, text and
/// attribute values are byte ranges into shared UTF-8 buffers. Every later pass (content
/// scoring, metadata) walks these arrays, so no libxml2 pointer outlives the parse and no
/// per-node `String` is allocated unless a pass asks for one.
public struct HTMLTree: Sendable {
    public typealias NodeIndex = Int32
    public static let none: NodeIndex = -1

    public struct Node: Sendable {
        public var tag: HTMLTag
        public var parent: NodeIndex
        public var firstChild: NodeIndex = HTMLTree.none
        public var lastChild: NodeIndex = HTMLTree.none
        public var nextSibling: NodeIndex = HTMLTree.none
        public var depth: Int32
        /// For text nodes: the node's bytes in `text`. For elements: unused (0).
        public var textStart: Int32 = 0
        public var textLength: Int32 = 0
        /// For elements: the node's attributes in `attributes`.
        public var attributeStart: Int32 = 0
        public var attributeCount: Int32 = 0
    }

    public struct Attribute: Sendable {
        /// Lower-cased name and raw value, as byte ranges in `attributeBytes`.
        public var nameStart: Int32
        public var nameLength: Int32
        public var valueStart: Int32
        public var valueLength: Int32
    }

    public private(set) var nodes: [Node] = []
    public private(set) var text: [UInt8] = []
    public private(set) var attributes: [Attribute] = []
    public private(set) var attributeBytes: [UInt8] = []
    /// The `<html>` element, `<head>` and `<body>` when the page has them.
    public private(set) var root: NodeIndex = HTMLTree.none
    public private(set) var head: NodeIndex = HTMLTree.none
    public private(set) var body: NodeIndex = HTMLTree.none

    /// Parses UTF-8 HTML bytes. Broken markup is recovered; a page libxml2 cannot make a
    /// document of yields an empty tree.
    ///
    /// The arena is built straight from libxml2's SAX events: libxml2 never builds (and frees)
    /// a DOM of its own, which would cost about as much again as the tokenizer.
    public init(utf8 bytes: [UInt8]) {
        let builder = SAXTreeBuilder()
        bytes.withUnsafeBytes { buffer in
            LibXML.parseHTML(utf8: buffer, handler: SAXTreeBuilder.makeHandler(), context: Unmanaged.passUnretained(builder).toOpaque())
        }
        builder.finish()
        self = builder.tree
    }

    public init() {}

    public var isEmpty: Bool { nodes.isEmpty }

    // MARK: Reading

    public subscript(index: NodeIndex) -> Node { nodes[Int(index)] }

    /// The children of `index`, in document order.
    public func children(of index: NodeIndex) -> ChildSequence {
        ChildSequence(tree: self, upcoming: nodes[Int(index)].firstChild)
    }

    public struct ChildSequence: Sequence, IteratorProtocol {
        let tree: HTMLTree
        var upcoming: NodeIndex
        public mutating func next() -> NodeIndex? {
            guard upcoming != HTMLTree.none else { return nil }
            defer { upcoming = tree.nodes[Int(upcoming)].nextSibling }
            return upcoming
        }
    }

    /// The raw bytes of a text node.
    public func textBytes(of index: NodeIndex) -> ArraySlice<UInt8> {
        let node = nodes[Int(index)]
        return text[Int(node.textStart)..<Int(node.textStart + node.textLength)]
    }

    /// The value of the attribute `name` (lower-case) on element `index`, as bytes.
    public func attributeBytes(_ name: StaticString, of index: NodeIndex) -> ArraySlice<UInt8>? {
        let node = nodes[Int(index)]
        guard node.attributeCount > 0 else { return nil }
        return name.withUTF8Buffer { wanted -> ArraySlice<UInt8>? in
            for attributeIndex in Int(node.attributeStart)..<Int(node.attributeStart + node.attributeCount) {
                let attribute = attributes[attributeIndex]
                guard Int(attribute.nameLength) == wanted.count else { continue }
                let nameStart = Int(attribute.nameStart)
                if attributeBytes[nameStart..<nameStart + wanted.count].elementsEqual(wanted) {
                    let valueStart = Int(attribute.valueStart)
                    return attributeBytes[valueStart..<valueStart + Int(attribute.valueLength)]
                }
            }
            return nil
        }
    }

    /// The value of the attribute `name` (lower-case) on element `index`.
    public func attribute(_ name: StaticString, of index: NodeIndex) -> String? {
        attributeBytes(name, of: index).map { String(decoding: $0, as: UTF8.self) }
    }

    /// All attributes of element `index` as (lower-cased name, value) strings.
    public func allAttributes(of index: NodeIndex) -> [(name: String, value: String)] {
        let node = nodes[Int(index)]
        return (Int(node.attributeStart)..<Int(node.attributeStart + node.attributeCount)).map { attributeIndex in
            let attribute = attributes[attributeIndex]
            let name = attributeBytes[Int(attribute.nameStart)..<Int(attribute.nameStart + attribute.nameLength)]
            let value = attributeBytes[Int(attribute.valueStart)..<Int(attribute.valueStart + attribute.valueLength)]
            return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
    }

    /// Visits `start` and every node below it in document order, without recursion.
    /// `visit` returns `false` to skip a node's subtree.
    public func walk(from start: NodeIndex, _ visit: (NodeIndex) -> Bool) {
        guard start >= 0 && Int(start) < nodes.count else { return }
        var current = start
        while true {
            let descend = visit(current)
            let node = nodes[Int(current)]
            if descend, node.firstChild != HTMLTree.none {
                current = node.firstChild
                continue
            }
            // Climb until a node with a next sibling, never above `start`.
            while current != start && nodes[Int(current)].nextSibling == HTMLTree.none {
                current = nodes[Int(current)].parent
            }
            if current == start { return }
            current = nodes[Int(current)].nextSibling
        }
    }

    /// The concatenated text below `index` (no whitespace folding), skipping script, style and
    /// other non-content elements.
    public func rawText(of index: NodeIndex) -> String {
        var bytes: [UInt8] = []
        walk(from: index) { node in
            let tag = nodes[Int(node)].tag
            if tag == .text {
                bytes.append(contentsOf: textBytes(of: node))
                return false
            }
            return !tag.isNonContent
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Like `rawText`, with whitespace runs folded to one space and trimmed.
    public func collapsedText(of index: NodeIndex) -> String {
        TextFolding.collapseWhitespace(rawText(of: index))
    }

    // MARK: Building

    fileprivate mutating func appendElement(
        name: UnsafePointer<xmlChar>?, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
        parent: NodeIndex, depth: Int32
    ) -> NodeIndex {
        let tag = HTMLTag(name: name)
        let index = NodeIndex(nodes.count)
        var node = Node(tag: tag, parent: parent, depth: depth)
        node.attributeStart = Int32(self.attributes.count)
        if let attributes {
            // A NULL-terminated array of name, value pairs; a value is NULL for `<input hidden>`.
            var cursor = 0
            while let attributeName = attributes[cursor] {
                appendAttribute(name: attributeName, value: attributes[cursor + 1])
                cursor += 2
            }
        }
        node.attributeCount = Int32(self.attributes.count) - node.attributeStart
        nodes.append(node)
        link(index, toParent: parent)
        switch tag {
        case .html where root == HTMLTree.none: root = index
        case .head where head == HTMLTree.none: head = index
        case .body where body == HTMLTree.none: body = index
        default: break
        }
        return index
    }

    private mutating func link(_ index: NodeIndex, toParent parent: NodeIndex) {
        guard parent != HTMLTree.none else { return }
        let last = nodes[Int(parent)].lastChild
        if last == HTMLTree.none {
            nodes[Int(parent)].firstChild = index
        } else {
            nodes[Int(last)].nextSibling = index
        }
        nodes[Int(parent)].lastChild = index
    }

    private mutating func appendAttribute(name: UnsafePointer<xmlChar>, value: UnsafePointer<xmlChar>?) {
        let nameStart = Int32(attributeBytes.count)
        var cursor = name
        while cursor.pointee != 0 {
            let byte = cursor.pointee
            attributeBytes.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
            cursor += 1
        }
        let nameLength = Int32(attributeBytes.count) - nameStart
        let valueStart = Int32(attributeBytes.count)
        if let value { appendCString(value, to: &attributeBytes) }
        attributes.append(Attribute(
            nameStart: nameStart, nameLength: nameLength,
            valueStart: valueStart, valueLength: Int32(attributeBytes.count) - valueStart))
    }

    /// Appends text below `parent`, extending the previous text node when libxml2 reports one
    /// run of text in several pieces.
    fileprivate mutating func appendText(_ characters: UnsafePointer<xmlChar>, count: Int, parent: NodeIndex, depth: Int32) {
        guard count > 0, parent != HTMLTree.none else { return }
        let last = nodes[Int(parent)].lastChild
        if last != HTMLTree.none, nodes[Int(last)].tag == .text,
           Int(nodes[Int(last)].textStart + nodes[Int(last)].textLength) == text.count {
            text.append(contentsOf: UnsafeBufferPointer(start: characters, count: count))
            nodes[Int(last)].textLength += Int32(count)
            return
        }
        let start = Int32(text.count)
        text.append(contentsOf: UnsafeBufferPointer(start: characters, count: count))
        let index = NodeIndex(nodes.count)
        var node = Node(tag: .text, parent: parent, depth: depth)
        node.textStart = start
        node.textLength = Int32(count)
        nodes.append(node)
        link(index, toParent: parent)
    }
}

/// Receives libxml2's SAX events and grows an `HTMLTree`.
private final class SAXTreeBuilder {
    // Only libxml2's parse loop on the calling thread touches the builder, one callback at a
    // time; dynamic exclusivity checks on every SAX event would cost more than the event.
    @exclusivity(unchecked) var tree = HTMLTree()
    @exclusivity(unchecked) private var openElements: [HTMLTree.NodeIndex] = []

    init() {
        tree.reserve()
        openElements.reserveCapacity(64)
    }

    func start(_ name: UnsafePointer<xmlChar>?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        // Content after the root element closed (libxml2 reports it) still belongs to the page.
        let parent = openElements.last ?? (tree.root == HTMLTree.none ? HTMLTree.none : tree.root)
        if parent == HTMLTree.none && tree.root != HTMLTree.none { return }
        let index = tree.appendElement(name: name, attributes: attributes, parent: parent, depth: Int32(openElements.count))
        openElements.append(index)
    }

    func end() {
        if !openElements.isEmpty { openElements.removeLast() }
    }

    func characters(_ characters: UnsafePointer<xmlChar>?, _ count: Int32) {
        guard let characters, count > 0 else { return }
        let parent = openElements.last ?? tree.root
        tree.appendText(characters, count: Int(count), parent: parent, depth: Int32(openElements.count))
    }

    func finish() {
        openElements.removeAll()
    }

    /// A fresh handler per parse: the C struct is not `Sendable`, and building it costs nothing.
    static func makeHandler() -> htmlSAXHandler {
        var handler = htmlSAXHandler()
        handler.startElement = { context, name, attributes in builder(context).start(name, attributes) }
        handler.endElement = { context, _ in builder(context).end() }
        handler.characters = { context, characters, count in builder(context).characters(characters, count) }
        handler.ignorableWhitespace = { context, characters, count in builder(context).characters(characters, count) }
        // Script and style bodies (JSON-LD lives there).
        handler.cdataBlock = { context, characters, count in builder(context).characters(characters, count) }
        handler.initialized = 1
        return handler
    }
}

/// The builder behind a SAX callback's context pointer (C callbacks cannot capture it).
private func builder(_ context: UnsafeMutableRawPointer?) -> SAXTreeBuilder {
    Unmanaged<SAXTreeBuilder>.fromOpaque(context!).takeUnretainedValue()
}

extension HTMLTree {
    fileprivate mutating func reserve() {
        nodes.reserveCapacity(2048)
        text.reserveCapacity(64 * 1024)
        attributes.reserveCapacity(2048)
        attributeBytes.reserveCapacity(32 * 1024)
    }
}

private func appendCString(_ pointer: UnsafePointer<xmlChar>, to bytes: inout [UInt8]) {
    let length = strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    bytes.append(contentsOf: UnsafeBufferPointer(start: pointer, count: length))
}

