import Testing
@testable import KhabarCore

@Suite struct HTMLTreeTests {
    @Test func copiesElementsTextAndAttributes() {
        let tree = HTMLTree(utf8: Array(#"<html lang="ar"><head><title>عنوان</title></head><body><div ID="Main" class="a b"><p>مرحبا <b>بكم</b></p></div></body></html>"#.utf8))
        #expect(tree.root != HTMLTree.none)
        #expect(tree.attribute("lang", of: tree.root) == "ar")
        #expect(tree.head != HTMLTree.none)
        let div = tree.children(of: tree.body).first { tree[$0].tag == .div }
        #expect(div != nil)
        if let div {
            #expect(tree.attribute("id", of: div) == "Main")
            #expect(tree.attribute("class", of: div) == "a b")
            #expect(tree.attribute("missing", of: div) == nil)
            #expect(tree.collapsedText(of: div) == "مرحبا بكم")
        }
    }

    @Test func skipsScriptTextInVisibleText() {
        let tree = HTMLTree(utf8: Array("<body><p>one<script>var x = 1;</script> two</p></body>".utf8))
        #expect(tree.collapsedText(of: tree.body) == "one two")
    }

    @Test func survivesAHundredThousandNestedDivs() {
        var html = "<html><body>"
        html += String(repeating: "<div>", count: 100_000)
        html += "deep text</body></html>"
        let tree = HTMLTree(utf8: Array(html.utf8))
        #expect(tree.collapsedText(of: tree.body) == "deep text")
        #expect(tree.nodes.map(\.depth).max() ?? 0 >= 100_000)
    }

    @Test func emptyAndGarbageInputsGiveEmptyOrTinyTrees() {
        #expect(HTMLTree(utf8: []).isEmpty)
        #expect(HTMLTree().collapsedText(of: 0) == "")
        let garbage = HTMLTree(utf8: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        #expect(garbage.nodes.count < 4096)
    }
}
