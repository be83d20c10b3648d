import Foundation
import Testing
@testable import KhabarCore

@Suite struct DiscoverURLCanonicalizerTests {
    let canonicalizer = URLCanonicalizer()

    @Test(arguments: [
        ("HTTPS://WWW.Example.COM", "https://www.example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com:/a", "https://example.com/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/../../a", "https://example.com/a"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/%7euser/%2fx%3F", "https://example.com/~user/%2Fx%3F"),
        ("https://example.com/a%2db%5F", "https://example.com/a-b_"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("https://example.com/news/وزير-الخارجية", "https://example.com/news/%D9%88%D8%B2%D9%8A%D8%B1-%D8%A7%D9%84%D8%AE%D8%A7%D8%B1%D8%AC%D9%8A%D8%A9"),
        ("https://example.com/news/%d9%88", "https://example.com/news/%D9%88"),
        ("https://example.com/?b=2&a=1&utm_source=x&utm_MEDIUM=y&fbclid=abc", "https://example.com/?a=1&b=2"),
        ("https://example.com/p?utm_source=rss", "https://example.com/p"),
        ("https://example.com/p?z=1&a=3&z=0&a=2", "https://example.com/p?a=3&a=2&z=1&z=0"),
        ("https://example.com/p?q=a+b&q2=%e2%82%ac&gclid=1&_ga=2&mc_cid=3&mc_eid=4&igshid=5&ref_src=6&yclid=7&dclid=8", "https://example.com/p?q=a+b&q2=%E2%82%AC"),
        ("https://example.com/p?&&a=1&", "https://example.com/p?a=1"),
        ("https://example.com/p?utm%5Fsource=x", "https://example.com/p"),
        ("  https://example.com/a\n", "https://example.com/a"),
        ("https://example.com\\a\\b", "https://example.com/a/b"),
        ("https://user:pa ss@Example.com/", "https://user:pa%20ss@example.com/"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/", "https://[2001:db8::1]/"),
        ("https://مثال.إختبار/مسار", "https://xn--mgbh0fb.xn--kgbechtv/%D9%85%D8%B3%D8%A7%D8%B1"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://BÜCHER.example/", "https://xn--bcher-kva.example/"),
        ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
        ("https://%62%C3%BCcher.example/", "https://xn--bcher-kva.example/"),
    ])
    func canonicalForms(input: String, expected: String) {
        #expect(canonicalizer.canonicalize(input) == expected)
    }

    @Test(arguments: ["/relative", "mailto:a@example.com", "javascript:void(0)", "ftp://example.com/", "https://", "https://exa mple.com/", "https://example.com:99999/", "https://example.com:8o/", "https:///path"])
    func notCanonicalizable(input: String) {
        #expect(canonicalizer.canonicalize(input) == nil)
    }

    @Test func relativeReferences() {
        let base = "https://www.example.com/news/2024/index.html?page=2"
        #expect(canonicalizer.canonicalize("../sport/a.html", relativeTo: base) == "https://www.example.com/news/sport/a.html")
        #expect(canonicalizer.canonicalize("//cdn.example.com/x", relativeTo: base) == "https://cdn.example.com/x")
        #expect(canonicalizer.canonicalize("?page=3", relativeTo: base) == "https://www.example.com/news/2024/index.html?page=3")
        #expect(canonicalizer.canonicalize("#top", relativeTo: base) == "https://www.example.com/news/2024/index.html?page=2")
        #expect(canonicalizer.canonicalize("/a", relativeTo: nil) == nil)
    }

    /// RFC 3986 §5.4 reference resolution examples.
    @Test func rfc3986Examples() {
        let base = "http://a/b/c/d;p?q"
        let cases: [(String, String)] = [
            ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
            ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"), (";x", "http://a/b/c/;x"), ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"), ("..", "http://a/b/"), ("../", "http://a/b/"), ("../g", "http://a/b/g"),
            ("../..", "http://a/"), ("../../g", "http://a/g"), ("../../../g", "http://a/g"), ("/./g", "http://a/g"),
            ("/../g", "http://a/g"), ("g.", "http://a/b/c/g."), (".g", "http://a/b/c/.g"), ("g..", "http://a/b/c/g.."),
            ("./../g", "http://a/b/g"), ("./g/.", "http://a/b/c/g/"), ("g/./h", "http://a/b/c/g/h"), ("g/../h", "http://a/b/c/h"),
        ]
        for (reference, expected) in cases {
            #expect(URLReference.resolve(reference, against: base) == expected, "\(reference)")
        }
    }

    /// RFC 3492 §7.1 sample strings (Arabic, Chinese, Russian), lower-cased output.
    @Test func punycodeSamples() {
        #expect(Punycode.encode("ليهمابتكلموشعربي؟".unicodeScalars) == "egbpdaj6bu4bxfgehfvwxn")
        #expect(Punycode.encode("他们为什么不说中文".unicodeScalars) == "ihqwcrb4cv8a8dqg056pqjye")
        #expect(Punycode.encode("почемужеонинеговорятпорусски".unicodeScalars) == "b1abfaaepdrnnbgefbadotcwatmq2g4l")
        #expect(Punycode.encode("bücher".unicodeScalars) == "bcher-kva")
    }

    @Test func trackingListIsConfigurable() {
        let custom = URLCanonicalizer(trackingParameters: ["ocid"], trackingParameterPrefixes: ["itm_"])
        #expect(custom.canonicalize("https://e.com/?ocid=1&itm_x=2&utm_source=3&a=4") == "https://e.com/?a=4&utm_source=3")
    }

    /// Canonicalizing twice gives what canonicalizing once gives, on the cases above and on
    /// random URL-ish strings built from the characters that cause trouble.
    @Test func idempotent() {
        let pieces = ["%", "%2", "%2e", "%2E", "%41", "%7e", "%d9%88", "%zz", "/", "//", ".", "..", "./", "../", "?", "&", "=", "#",
                      "a", "B", "~", "-", "_", " ", "+", ":", "@", "!", "$", "'", "(", ")", "*", ",", ";", "[", "]", "\\",
                      "utm_source=1", "fbclid=2", "x=1", "é", "خبر", "😀", "\t", "%00", "%25", "%2F", "\"", "<", ">", "^", "`", "{", "|", "}"]
        let hosts = ["example.com", "EXAMPLE.com.", "bücher.example", "مثال.إختبار", "[::1]", "a_b.example", "example.com:8080", "example.com:443", "u:p@example.com"]
        var random = SeededRandom(seed: 20_240_620)
        var checked = 0
        for _ in 0..<5_000 {
            let scheme = Bool.random(using: &random) ? "https" : "HTTP"
            let host = hosts.randomElement(using: &random)!
            let path = (0..<Int.random(in: 0...12, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let input = "\(scheme)://\(host)/\(path)"
            guard let once = canonicalizer.canonicalize(input) else { continue }
            checked += 1
            let twice = canonicalizer.canonicalize(once)
            #expect(twice == once, "input: \(input.debugDescription)")
            if twice != once { break }
        }
        #expect(checked > 4_000)
    }
}
