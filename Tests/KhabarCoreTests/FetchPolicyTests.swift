import Foundation
import Testing
@testable import KhabarCore

/// The fetcher's pure rules: robots.txt parsing and matching, the SSRF guard's address
/// classes, and header parsing. No sockets.
@Suite struct FetchPolicyTests {
    // MARK: robots.txt

    static let robots = """
        # comment
        User-agent: Googlebot
        Disallow: /

        User-agent: khabar
        User-agent: otherbot
        Disallow: /private
        Allow: /private/open
        Disallow: /*.pdf$
        Disallow: /search?
        Allow: /search?q=news
        Crawl-delay: 2.5

        User-agent: *
        Disallow: /everything-for-others
        """

    @Test(arguments: [
        ("/", true),
        ("/news/1", true),
        ("/private", false),
        ("/private/x", false),
        ("/private/open", true),
        ("/private/open/deeper", true),
        ("/files/a.pdf", false),
        ("/files/a.pdf?x=1", true),
        ("/search?q=sport", false),
        ("/search?q=news&page=2", true),
        ("/search", true),
        ("/everything-for-others", true),
        ("/robots.txt", true),
    ])
    func matchesGroupForProductToken(path: String, allowed: Bool) {
        let rules = RobotsRules(parsing: Array(Self.robots.utf8), productToken: "khabar")
        #expect(rules.allows(path) == allowed)
        #expect(rules.crawlDelaySeconds == 2.5)
    }

    @Test func fallsBackToStarGroup() {
        let rules = RobotsRules(parsing: Array(Self.robots.utf8), productToken: "somebot")
        #expect(!rules.allows("/everything-for-others/x"))
        #expect(rules.allows("/private"))
        #expect(rules.crawlDelaySeconds == nil)
    }

    @Test func matchesUserAgentCaseInsensitivelyAndMergesGroups() {
        let text = "user-agent: KHABAR/2.0\ndisallow: /a\n\nUser-Agent: khabar\nDisallow: /b\n"
        let rules = RobotsRules(parsing: Array(text.utf8), productToken: "khabar")
        #expect(!rules.allows("/a"))
        #expect(!rules.allows("/b"))
        #expect(rules.allows("/c"))
    }

    @Test func emptyDisallowAllowsEverythingAndTiesGoToAllow() {
        #expect(RobotsRules(parsing: Array("User-agent: *\nDisallow:\n".utf8), productToken: "k").allows("/x"))
        let tie = RobotsRules(parsing: Array("User-agent: *\nDisallow: /page\nAllow: /page\n".utf8), productToken: "k")
        #expect(tie.allows("/page"))
        #expect(RobotsRules.disallowAll.allows("/x") == false)
        #expect(RobotsRules.allowAll.allows("/x"))
    }

    @Test(arguments: [
        ("/fish", "/fish", true), ("/fish", "/fish.html", true), ("/fish", "/Fish", false),
        ("/*.php", "/index.php", true), ("/*.php", "/a/b.php?x", true), ("/*.php$", "/a.php5", false),
        ("/fish*", "/fishheads", true), ("/*", "/", true), ("/a*b*c$", "/axxbyyc", true), ("/a*b*c$", "/axxbyycz", false),
        ("/%7ejoe", "/~joe/x", true), ("/x$", "/x", true), ("/x$", "/xy", false),
    ])
    func wildcardAndAnchorMatching(pattern: String, path: String, matches: Bool) {
        let normalizedPattern = RobotsRules.normalizePercentEncoding(Array(pattern.utf8))
        let normalizedPath = Array(RobotsRules.normalizePercentEncoding(path).utf8)
        #expect(RobotsRules.matches(pattern: normalizedPattern, path: normalizedPath) == matches)
    }

    @Test func survivesHostileRobots() {
        let stars = String(repeating: "*a", count: 2000)
        let text = "User-agent: *\nDisallow: /\(stars)$\n" + String(repeating: "junk line without colon\n", count: 1000)
        let rules = RobotsRules(parsing: Array(text.utf8), productToken: "k")
        #expect(rules.allows("/" + String(repeating: "a", count: 3000) + "b"))
    }

    // MARK: SSRF guard

    static let guardOn = AddressGuard(enabled: true, allowed: [])

    @Test(arguments: [
        "127.0.0.1", "127.255.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
        "100.127.255.255", "169.254.169.254", "0.0.0.0", "224.0.0.1", "255.255.255.255",
        "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::",
    ])
    func refusesInternalAddresses(address: String) throws {
        let bytes = try #require(IPAddressText.parse(address))
        #expect(!Self.guardOn.permits(bytes))
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::6810:85e5", "::ffff:8.8.8.8", "2002:808:808::"])
    func permitsPublicAddresses(address: String) throws {
        let bytes = try #require(IPAddressText.parse(address))
        #expect(Self.guardOn.permits(bytes))
    }

    @Test func allowListOpensOnlyListedNetworks() throws {
        let allowing = AddressGuard(enabled: true, allowed: [IPNetwork("127.0.0.0/8")!])
        #expect(allowing.permits(try #require(IPAddressText.parse("127.0.0.1"))))
        #expect(allowing.permits(try #require(IPAddressText.parse("::ffff:127.0.0.1"))))
        #expect(!allowing.permits(try #require(IPAddressText.parse("10.0.0.1"))))
        #expect(!allowing.permits(try #require(IPAddressText.parse("::1"))))
        #expect(AddressGuard(enabled: false, allowed: []).permits([127, 0, 0, 1]))
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/33", "::1/129", "1::2::3", "12345::", "x.y.z.w", "1.2.3.04x"])
    func rejectsMalformedNetworks(text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test func parsesAndFormatsIPv6() throws {
        #expect(IPAddressText.parse("[::1]") == [UInt8](repeating: 0, count: 15) + [1])
        #expect(IPAddressText.parse("fe80::1%eth0")?.first == 0xFE)
        #expect(IPAddressText.format(try #require(IPAddressText.parse("2001:db8::1"))) == "2001:db8:0:0:0:0:0:1")
        #expect(throws: FetchError.self) { try CurlFetcher(configuration: { var c = FetchConfiguration(); c.allowedNetworks = ["nope"]; return c }()) }
    }

    // MARK: Headers and URLs

    @Test(arguments: [
        ("text/html; charset=UTF-8", "UTF-8"),
        ("text/html;charset=\"windows-1256\"", "windows-1256"),
        ("text/html; boundary=x; CHARSET = iso-8859-6 ", "iso-8859-6"),
        ("text/html", nil),
        ("text/html; charset=", nil),
        ("text/html; charset=\"\"", nil),
    ] as [(String, String?)])
    func parsesCharset(contentType: String, charset: String?) {
        #expect(CurlFetcher.charset(fromContentType: contentType) == charset)
    }

    @Test func parsesRetryAfter() {
        let now = Date(timeIntervalSince1970: 1_445_412_480) // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(CurlFetcher.retryAfter("120", now: now) == .seconds(120))
        #expect(CurlFetcher.retryAfter("Wed, 21 Oct 2015 07:29:00 GMT", now: now) == .seconds(60))
        #expect(CurlFetcher.retryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now: now) == .seconds(0))
        #expect(CurlFetcher.retryAfter("-5", now: now) == nil)
        #expect(CurlFetcher.retryAfter("soon", now: now) == nil)
        #expect(CurlFetcher.retryAfter(nil, now: now) == nil)
    }

    /// Validators of a document modified within a second of being served are not kept.
    @Test func validatorsOfADocumentStillChangingAreNotKept() {
        let now = Date(timeIntervalSince1970: 1_445_412_480) // Wed, 21 Oct 2015 07:28:00 GMT
        let served = "Wed, 21 Oct 2015 07:28:00 GMT"
        #expect(CurlFetcher.isStillChanging(lastModified: "Wed, 21 Oct 2015 07:28:00 GMT", date: served, now: now))
        #expect(CurlFetcher.isStillChanging(lastModified: "Wed, 21 Oct 2015 07:27:59 GMT", date: served, now: now))
        #expect(!CurlFetcher.isStillChanging(lastModified: "Wed, 21 Oct 2015 07:27:58 GMT", date: served, now: now))
        #expect(!CurlFetcher.isStillChanging(lastModified: "Tue, 20 Oct 2015 07:28:00 GMT", date: served, now: now))
        // No Date header: the local clock stands in; no or an unreadable Last-Modified: kept.
        #expect(CurlFetcher.isStillChanging(lastModified: served, date: nil, now: now))
        #expect(!CurlFetcher.isStillChanging(lastModified: served, date: nil, now: now.addingTimeInterval(60)))
        #expect(!CurlFetcher.isStillChanging(lastModified: nil, date: served, now: now))
        #expect(!CurlFetcher.isStillChanging(lastModified: "yesterday", date: served, now: now))
    }

    @Test func canonicalKeysDropFragmentAndUserInfoAndFoldCase() {
        #expect(CanonicalURL.key(for: "HTTP://User:Pw@Example.COM/a/b?c=1#frag") == "http://example.com/a/b?c=1")
        #expect(CanonicalURL.key(for: "https://example.com") == "https://example.com/")
        #expect(CanonicalURL.key(for: "javascript:alert(1)") == nil)
        #expect(CanonicalURL.key(for: "not a url") == nil)
    }

    @Test func errorDescriptionsEscapeRemoteText() {
        let error = FetchError.badRedirect(status: 302, location: "http://x/\u{1B}[31m\n" + String(repeating: "a", count: 500))
        #expect(!error.description.contains("\u{1B}"))
        #expect(!error.description.contains("\n"))
        #expect(error.description.count < 200)
    }
}
