/// Finds the article body in a page: the blocks of text that belong to the story.
struct ContentExtractor {
    struct Result {
        var blocks: [String]
    }

    let tree: HTMLTree

    func extract() -> Result {
        guard tree.body != HTMLTree.none else { return Result(blocks: []) }
        var blocks: [String] = []
        tree.walk(from: tree.body) { index in
            let node = tree[index]
            if node.tag == .p {
                let text = tree.collapsedText(of: index)
                if !text.isEmpty { blocks.append(text) }
                return false
            }
            return !node.tag.isNonContent
        }
        return Result(blocks: blocks)
    }
}
