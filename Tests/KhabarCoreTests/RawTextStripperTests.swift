import Testing
@testable import KhabarCore

@Suite struct RawTextStripperTests {
    private func stripped(_ html: String) -> String {
        String(decoding: RawTextStripper.strip(Array(html.utf8)), as: UTF8.self)
    }

    @Test(arguments: [
        ("<p>a</p><script>var s = '<p>no</p>';</script><p>b</p>", "<p>a</p><script></script><p>b</p>"),
        ("<SCRIPT type=text/javascript>x<y</SCRIPT >z", "<SCRIPT type=text/javascript></SCRIPT >z"),
        ("<style>p{color:red}</style><p>t</p>", "<style></style><p>t</p>"),
        ("<p>a<!-- <script>hidden</script> -->b</p>", "<p>ab</p>"),
        ("<scripts>kept</scripts>", "<scripts>kept</scripts>"),
        (#"<p>a</p><svg viewBox="0 0 9 9"><path d="M0 0L9 9"/><text>x</text></svg><p>b</p>"#, #"<p>a</p><svg viewBox="0 0 9 9"></svg><p>b</p>"#),
        (#"<script type="application/ld+json">{"@type":"NewsArticle"}</script>"#, #"<script type="application/ld+json">{"@type":"NewsArticle"}</script>"#),
        ("<p>unterminated <!-- comment", "<p>unterminated <!-- comment"),
        ("<script>never closed", "<script>never closed"),
        ("", ""),
    ])
    func stripsScriptStyleAndComments(input: String, expected: String) {
        #expect(stripped(input) == expected)
    }

    @Test func extractionIgnoresMarkupInsideScripts() {
        let html = "<html><body><article><p>\(String(repeating: "نص الخبر الحقيقي هنا، ", count: 20))</p><script>document.write('<p>\(String(repeating: "script text ", count: 50))</p>')</script></article></body></html>"
        let article = try? ArticleExtractor().extract(html: Array(html.utf8)).get()
        #expect(article?.text.contains("script text") == false)
        #expect(article?.text.contains("نص الخبر الحقيقي") == true)
    }
}
