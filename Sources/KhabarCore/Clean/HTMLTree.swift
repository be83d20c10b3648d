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
    public init(utf8 bytes: [UInt8]) {
        self.init()
        bytes.withUnsafeBytes { buffer in
            LibXML.withHTMLDocument(utf8: buffer, baseURL: nil) { document in
                guard let document else { return }
                self.copy(from: document)
            }
        }
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

    // MARK: Building from libxml2

    private mutating func copy(from document: xmlDocPtr) {
        guard let rootElement = xmlDocGetRootElement(document) else { return }
        nodes.reserveCapacity(1024)
        text.reserveCapacity(64 * 1024)
        // Iterative pre-order walk over libxml2's nodes (its tree can be 256 levels deep, and
        // the stack must never depend on the page); `parentIndex` is our arena index of the
        // current libxml2 parent.
        var source: xmlNodePtr? = rootElement
        var parentIndex: NodeIndex = HTMLTree.none
        var depth: Int32 = 0
        walking: while let current = source {
            let type = current.pointee.type
            if type == XML_ELEMENT_NODE {
                let index = appendElement(current, parent: parentIndex, depth: depth)
                if let firstChild = current.pointee.children {
                    parentIndex = index
                    depth += 1
                    source = firstChild
                    continue walking
                }
            } else if type == XML_TEXT_NODE || type == XML_CDATA_SECTION_NODE {
                appendText(current.pointee.content, parent: parentIndex, depth: depth)
            }
            // Next sibling, or that of the nearest ancestor below the root element.
            var node = current
            while node.pointee.next == nil || node == rootElement {
                guard node != rootElement, let up = node.pointee.parent else { break walking }
                node = up
                parentIndex = nodes[Int(parentIndex)].parent
                depth -= 1
            }
            source = node.pointee.next
        }
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

    private mutating func appendElement(_ element: xmlNodePtr, parent: NodeIndex, depth: Int32) -> NodeIndex {
        let tag = HTMLTag(name: element.pointee.name)
        let index = NodeIndex(nodes.count)
        var node = Node(tag: tag, parent: parent, depth: depth)
        node.attributeStart = Int32(attributes.count)
        var property = element.pointee.properties
        while let attribute = property {
            appendAttribute(attribute)
            property = attribute.pointee.next
        }
        node.attributeCount = Int32(attributes.count) - node.attributeStart
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

    private mutating func appendAttribute(_ attribute: xmlAttrPtr) {
        guard let name = attribute.pointee.name else { return }
        let nameStart = Int32(attributeBytes.count)
        var cursor = UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self)
        while cursor.pointee != 0 {
            let byte = cursor.pointee
            attributeBytes.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
            cursor += 1
        }
        let nameLength = Int32(attributeBytes.count) - nameStart
        let valueStart = Int32(attributeBytes.count)
        var child = attribute.pointee.children
        while let valueNode = child {
            if let content = valueNode.pointee.content {
                appendCString(content, to: &attributeBytes)
            }
            child = valueNode.pointee.next
        }
        attributes.append(Attribute(
            nameStart: nameStart, nameLength: nameLength,
            valueStart: valueStart, valueLength: Int32(attributeBytes.count) - valueStart))
    }

    private mutating func appendText(_ content: UnsafeMutablePointer<xmlChar>?, parent: NodeIndex, depth: Int32) {
        guard let content, content.pointee != 0 else { return }
        let start = Int32(text.count)
        appendCString(content, to: &text)
        let index = NodeIndex(nodes.count)
        var node = Node(tag: .text, parent: parent, depth: depth)
        node.textStart = start
        node.textLength = Int32(text.count) - start
        nodes.append(node)
        link(index, toParent: parent)
    }
}

private func appendCString(_ pointer: UnsafePointer<xmlChar>, to bytes: inout [UInt8]) {
    let length = strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    bytes.append(contentsOf: UnsafeBufferPointer(start: pointer, count: length))
}

private func appendCString(_ pointer: UnsafeMutablePointer<xmlChar>, to bytes: inout [UInt8]) {
    appendCString(UnsafePointer(pointer), to: &bytes)
}
