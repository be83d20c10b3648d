import Foundation
import Testing
@testable import KhabarCore

private func metadata(_ html: String, url: String? = "https://example.com/news/1") -> PageMetadata {
    MetadataExtractor(tree: HTMLTree(utf8: Array(html.utf8)), url: url).extract()
}

@Suite struct MetadataExtractorTests {
    // MARK: JSON-LD

    @Test func readsArticleFieldsFromJSONLDAlone() {
        let page = metadata("""
            <html><head><title>عنوان الخبر</title>
            <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
            "headline":"عنوان الخبر","datePublished":"2024-06-19T14:49:00+03:00","dateModified":"2024-06-20T08:00:00+03:00",
            "author":{"@type":"Person","name":"سارة أحمد"},"publisher":{"@type":"Organization","name":"صحيفة المثال"},
            "image":{"@type":"ImageObject","url":"/img/lead.jpg"},"keywords":"روسيا، كوريا الشمالية, روسيا",
            "description":"ملخص الخبر"}</script></head><body><p>نص</p></body></html>
            """)
        #expect(page.title == "عنوان الخبر")
        #expect(page.publishedAt?.iso8601 == "2024-06-19T14:49:00+03:00")
        #expect(page.modifiedAt?.iso8601 == "2024-06-20T08:00:00+03:00")
        #expect(page.author == "سارة أحمد")
        #expect(page.siteName == "صحيفة المثال")
        #expect(page.image == "https://example.com/img/lead.jpg")
        #expect(page.tags == ["روسيا", "كوريا الشمالية"])
        #expect(page.description == "ملخص الخبر")
    }

    @Test func followsGraphReferencesAndTypeArrays() {
        let page = metadata("""
            <html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","@id":"https://example.com/#site","name":"موقع المثال"},
              {"@type":"WebPage","@id":"https://example.com/news/1#page","name":"صفحة","datePublished":"2020-01-01"},
              {"@type":["NewsArticle","Article"],"headline":"خبر من الرسم البياني","datePublished":"2024-03-05",
               "author":[{"@id":"https://example.com/#/person/1"},{"@type":"Person","name":"Jane Doe"}],
               "publisher":{"@id":"https://example.com/#org"}},
              {"@type":"Person","@id":"https://example.com/#/person/1","name":"علي حسن"},
              {"@type":"Organization","@id":"https://example.com/#org","name":"مؤسسة المثال"}
            ]}</script></head><body></body></html>
            """)
        #expect(page.title == "خبر من الرسم البياني")
        #expect(page.author == "علي حسن, Jane Doe")
        #expect(page.publishedAt?.iso8601 == "2024-03-05")
        #expect(page.siteName == "مؤسسة المثال")
    }

    @Test func repairsBrokenJSONLD() {
        // A raw newline and tab inside a string, a trailing comma, a comment/CDATA wrapper, an
        // invalid escape, and a second object glued to the first.
        let block = "<!--//<![CDATA[\n{\"@type\": \"NewsArticle\", \"headline\": \"سطر أول\nسطر\tثان\", \"description\": \"it\\'s\",\n"
            + "\"datePublished\": \"2023-11-02T10:00:00Z\", \"author\": {\"name\": \"منى\",},}\n"
            + "{\"@type\": \"Organization\", \"name\": \"x\"}\n//]]>-->"
        let page = metadata("<html><head><script type=\"application/ld+json\">\(block)</script></head><body></body></html>")
        #expect(page.title == "سطر أول سطر ثان")
        #expect(page.description == "it's")
        #expect(page.publishedAt?.iso8601 == "2023-11-02T10:00:00Z")
        #expect(page.author == "منى")
    }

    @Test func hopelessJSONLDIsIgnoredWithoutCrashing() {
        let page = metadata("""
            <html><head><title>عنوان</title><script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>
            <script type="application/ld+json">]]]}}}{{{</script></head><body><h1>عنوان</h1></body></html>
            """)
        #expect(page.title == "عنوان")
        #expect(page.author == nil)
    }

    // MARK: Titles and site names

    @Test func prefersOpenGraphTitleOverTitleWithSiteSuffix() {
        let page = metadata("""
            <html><head><title>انتخابات جديدة في البلاد | جريدة الوطن</title>
            <meta property="og:title" content="انتخابات جديدة في البلاد">
            <meta property="og:site_name" content="جريدة الوطن"></head>
            <body><header><h1 class="site-logo">جريدة الوطن</h1></header><h1>انتخابات جديدة في البلاد</h1></body></html>
            """)
        #expect(page.title == "انتخابات جديدة في البلاد")
        #expect(page.siteName == "جريدة الوطن")
    }

    @Test func removesArabicSiteSuffixAndReportsItAsSiteName() {
        let page = metadata("""
            <html><head><title>ارتفاع أسعار الذهب في الأسواق - الوطن</title></head>
            <body><h1>ارتفاع أسعار الذهب في الأسواق</h1></body></html>
            """, url: "https://www.alwatan.example/a/1")
        #expect(page.title == "ارتفاع أسعار الذهب في الأسواق")
        #expect(page.siteName == "الوطن")
    }

    @Test func keepsADashThatBelongsToTheTitle() {
        let page = metadata("""
            <html><head><title>مصر - السودان: اتفاق جديد على مياه النيل | الوطن</title>
            <meta property="og:site_name" content="الوطن"></head>
            <body><h1>مصر - السودان: اتفاق جديد على مياه النيل</h1></body></html>
            """)
        #expect(page.title == "مصر - السودان: اتفاق جديد على مياه النيل")
    }

    @Test func removesSiteNamePrefixBeforeAColon() {
        let page = metadata("""
            <html><head><title>الوطن: وزير المالية يعلن الموازنة</title>
            <meta name="application-name" content="الوطن"></head><body></body></html>
            """)
        #expect(page.title == "وزير المالية يعلن الموازنة")
        #expect(page.siteName == "الوطن")
    }

    @Test func siteNameFallsBackToHostName() {
        let page = metadata("<html><head><title>خبر بلا موقع</title></head><body></body></html>", url: "https://www.khabar.example/x")
        #expect(page.siteName == "khabar.example")
    }

    @Test func forumThreadDropsTopicLabelAndIgnoresThePoster() throws {
        let fixture = try #require(Bundle.module.url(forResource: "forum-thread", withExtension: "html", subdirectory: "Fixtures/metadata"))
        let tree = HTMLTree(utf8: Array(try Data(contentsOf: fixture)))
        let page = MetadataExtractor(tree: tree, url: "http://forum.example/showthread.php?t=245126&page=1").extract()
        #expect(page.title == "روسيا توسع تعاونها العسكري مع كوريا الشمالية")
        #expect(page.siteName == "منتديات الحوار العربي")
        #expect(page.author == nil)
        #expect(page.publishedAt?.iso8601 == "2024-06-20")
        #expect(page.canonicalURL == "http://forum.example/showthread.php?t=245126")
        #expect(page.declaredLanguage == "ar")
        #expect(page.declaredDirection == "rtl")
    }

    // MARK: Authors

    @Test func readsAuthorFromBylineElement() {
        let page = metadata("""
            <html><head><title>خبر</title></head><body><article><h1>خبر</h1>
            <div class="article-byline">بقلم: أحمد محمد | 20 يونيو 2024</div><p>نص الخبر</p></article></body></html>
            """)
        #expect(page.author == "أحمد محمد")
    }

    @Test func readsAuthorFromLabelledWriterFieldAndPlainBylineLine() {
        let labelled = metadata("""
            <html><body><h1>خبر</h1><div class="field--name-field-writer"><div class="field__label">الكاتب</div>
            <div class="field__item">نجيم</div></div></body></html>
            """)
        #expect(labelled.author == "نجيم")
        let plain = metadata("<html><body><h1>خبر</h1><p><strong>كتب: سامي علي</strong></p><p>كتب الرئيس في تغريدة أن الاجتماع انتهى.</p></body></html>")
        #expect(plain.author == "سامي علي")
    }

    @Test func organizationAuthorIsOnlyAFallback() {
        let organizationOnly = metadata("""
            <html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"خبر",
            "author":{"@type":"NewsMediaOrganization","name":"وكالة الأنباء"}}</script></head><body></body></html>
            """)
        #expect(organizationOnly.author == "وكالة الأنباء")
        let withByline = metadata("""
            <html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"خبر",
            "author":{"@type":"Organization","name":"وكالة الأنباء"}}</script></head>
            <body><span class="author-name">ليلى حسن</span></body></html>
            """)
        #expect(withByline.author == "ليلى حسن")
    }

    @Test func pageWithoutAuthorGivesNil() {
        let page = metadata("""
            <html><head><title>خبر عاجل - موقع المثال</title><meta property="og:site_name" content="موقع المثال">
            <meta name="author" content="https://www.facebook.com/example"><meta property="article:author" content="موقع المثال"></head>
            <body><h1>خبر عاجل</h1><div class="userinfo"><a class="username" href="/u/1">ناقل الأخبار</a></div>
            <div class="comments"><span class="comment-author">زائر</span></div><p>نص</p></body></html>
            """)
        #expect(page.author == nil)
    }

    @Test func readsAuthorFromNextDataForTheMatchingArticle() {
        let page = metadata("""
            <html><head><title>خبر من التطبيق - منصة</title></head><body><h1>خبر من التطبيق</h1>
            <script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"related":[{"title":"خبر آخر","author":"غيره"}],
            "article":{"title":"خبر من التطبيق","author":{"name":"رنا"},"publishedAt":"2024-06-20T10:00:00Z"}}}}</script></body></html>
            """)
        #expect(page.author == "رنا")
        #expect(page.publishedAt?.iso8601 == "2024-06-20T10:00:00Z")
        #expect(page.siteName == "منصة")
    }

    // MARK: Dates, links, tags

    @Test func prefersATimedCandidateOnTheSameDayAndKeepsModifiedApart() {
        let page = metadata("""
            <html><head><meta property="article:published_time" content="2024-06-19">
            <meta property="article:modified_time" content="2024-06-21T09:00:00Z"></head>
            <body><article><time datetime="2024-06-19T14:49:00+03:00">19 يونيو</time></article></body></html>
            """)
        #expect(page.publishedAt?.iso8601 == "2024-06-19T14:49:00+03:00")
        #expect(page.modifiedAt?.iso8601 == "2024-06-21T09:00:00Z")
    }

    @Test func visibleDateElementsAndURLDatesAreLastResorts() {
        let visible = metadata("<html><body><h1>خبر</h1><div class=\"post-date\">تاريخ النشر: 2024-02-03</div></body></html>")
        #expect(visible.publishedAt?.iso8601 == "2024-02-03")
        let fromURL = metadata("<html><body><h1>خبر</h1></body></html>", url: "https://example.com/2023/07/09/story-slug/")
        #expect(fromURL.publishedAt?.iso8601 == "2023-07-09")
        let none = metadata("<html><head><meta name=\"date\" content=\"2999-01-01\"></head><body></body></html>")
        #expect(none.publishedAt == nil)
    }

    @Test func resolvesCanonicalAndImageURLs() {
        let relative = metadata("""
            <html><head><link rel="canonical" href="../story/42?ref=x"><meta property="og:image" content="//cdn.example.com/a.jpg">
            </head><body></body></html>
            """, url: "https://example.com/news/section/1")
        #expect(relative.canonicalURL == "https://example.com/news/story/42?ref=x")
        #expect(relative.image == "https://cdn.example.com/a.jpg")
        let withBase = metadata("<html><head><base href=\"https://other.example/root/\"><link rel=\"canonical\" href=\"p/7\"></head></html>")
        #expect(withBase.canonicalURL == "https://other.example/root/p/7")
        let fromOpenGraph = metadata("<html><head><meta property=\"og:url\" content=\"https://example.com/og\"></head></html>")
        #expect(fromOpenGraph.canonicalURL == "https://example.com/og")
        let fromRequest = metadata("<html><head><title>t</title></head></html>", url: "https://example.com/req")
        #expect(fromRequest.canonicalURL == "https://example.com/req")
    }

    @Test func collectsTagsLanguageAndDirection() {
        let page = metadata("""
            <html lang="ar-EG"><head><meta property="article:tag" content="اقتصاد"><meta property="article:tag" content=" الذهب ">
            <meta name="keywords" content="الذهب، أسعار, اقتصاد"></head><body dir="RTL"></body></html>
            """)
        #expect(page.tags == ["اقتصاد", "الذهب", "أسعار"])
        #expect(page.declaredLanguage == "ar-EG")
        #expect(page.declaredDirection == "rtl")
        let locale = metadata("<html><head><meta property=\"og:locale\" content=\"ar_AR\"></head><body></body></html>")
        #expect(locale.declaredLanguage == "ar-AR")
        #expect(locale.declaredDirection == nil)
    }

    @Test func emptyTreeGivesOnlyTheRequestURL() {
        let page = MetadataExtractor(tree: HTMLTree(), url: "https://example.com/a").extract()
        #expect(page == PageMetadata(canonicalURL: "https://example.com/a"))
    }
}

@Suite struct BylineDetectorTests {
    @Test(arguments: [
        "بقلم: أحمد محمد", "بواسطة سارة علي", "كتب: محمود حسن", "كتبت - منى سالم", "By Jane Doe",
        "Written by John Smith", "Reporting by Ali Hassan; editing by Sara", "نشر في 20 يونيو 2024", "آخر تحديث: 2024-06-20 10:00",
        "Updated 3 June 2024", "20-06-2024, 05:00", "الخميس، 20 يونيو 2024", "٢٠/٦/٢٠٢٤",
    ])
    func recognizesBylinesAndDatelines(_ line: String) {
        #expect(BylineDetector.isBylineOrDateline(line))
    }

    @Test(arguments: [
        "كتب الرئيس في تغريدة على منصة إكس أن الاجتماع انتهى دون اتفاق بين الطرفين المعنيين",
        "وقع الرئيس الروسي اتفاقية مع كوريا الشمالية في عام 2024",
        "By the end of the year, prices rose sharply across the region and beyond",
        "اتفاقية كيم وبوتين", "", "Updated",
    ])
    func leavesOrdinaryLinesAlone(_ line: String) {
        #expect(!BylineDetector.isBylineOrDateline(line))
    }

    @Test func extractsTheNameFromABylineLine() {
        #expect(BylineDetector.author(fromBylineLine: "بقلم: أحمد محمد | 20 يونيو 2024") == "أحمد محمد")
        #expect(BylineDetector.author(fromBylineLine: "كتب - محمود حسن، القاهرة") == "محمود حسن")
        #expect(BylineDetector.author(fromBylineLine: "By Jane Doe - Reuters") == "Jane Doe")
        #expect(BylineDetector.author(fromBylineLine: "الكاتب الصحفي خالد عمر") == "خالد عمر")
        #expect(BylineDetector.author(fromBylineLine: "بواسطة https://example.com/u/1") == nil)
        #expect(BylineDetector.author(fromBylineLine: "بواسطة editor@example.com") == nil)
        #expect(BylineDetector.author(fromBylineLine: "أحمد محمد") == nil)
    }
}

/// The byte-level shortcuts must give exactly what the String-level code they skip would.
@Suite struct MetadataFastPathTests {
    @Test(arguments: [
        // Labels written with decomposed hamza or harakat, or after Unicode spaces, skip the
        // byte-level first-word test and still go through the full one.
        "\u{0627}\u{0654}خر تحديث: 2024-06-20 10:00", "ن\u{064F}شر في 20 يونيو 2024", "\u{00A0}\u{2003}By Jane Doe",
        "\u{FEFF}بقلم: أحمد محمد", "BY: JANE DOE", "تاريخ النشر/ 2024-06-20",
    ])
    func recognizesLabelsInUnusualSpellings(_ line: String) {
        #expect(BylineDetector.isBylineOrDateline(line))
    }

    @Test(arguments: [
        "«بقلم أحمد محمد»", "\u{0301}By Jane Doe", "Byline editors met on 3 June 2024 to talk", "The 20 June 2024 report",
    ])
    func rejectsLinesNoLabelCanStart(_ line: String) {
        #expect(!BylineDetector.isBylineOrDateline(line))
    }

    @Test func byteLevelFoldingMatchesTextFolding() {
        let samples: [[UInt8]] = [
            Array("  a\u{00A0}\u{2009}b\t\n c\u{200B}d\u{FEFF} \u{3000}".utf8), Array("\u{0085}x\u{2028}y\u{205F}z\u{1680}".utf8),
            [0x20, 0xC3, 0x20, 0xA9, 0xE2, 0x80, 0x20, 0xE2, 0x80, 0x80, 0xC2], [0xE2, 0x80, 0x8C, 0x61, 0xEF, 0xBB],
        ]
        for bytes in samples {
            #expect(MetadataText.collapsedString(utf8: bytes) == TextFolding.collapseWhitespace(String(decoding: bytes, as: UTF8.self)))
        }
    }

    @Test func classFlagsFindEveryNeedleIgnoringCase() {
        func flags(_ name: String) -> ClassFlags { ClassFlags(scanning: Array(name.utf8)[...]) }
        #expect(flags("post-Author byline") == [.author])
        #expect(flags("entry-UPDATED") == [.date, .update])
        #expect(flags("commentlist") == [.noise, .comment])
        #expect(flags("site_title brand") == [.logo])
        #expect(flags("article-body") == [])
        #expect(flags("Kateb-name dateline") == [.author, .date])
    }
}
