import Foundation
import Testing
@testable import KhabarCore

/// The cleaner's rules on lines from many sites' templates, and on real article sentences that
/// look like furniture but must stay.
@Suite struct TextCleanerTests {
    /// Two paragraphs around the line under test, so that only the line's own rules decide.
    static let before = "وقال مسؤولون في وزارة الخارجية إن المحادثات بين الجانبين ستستأنف الأسبوع المقبل في العاصمة، بعد أن توقفت لعدة أشهر بسبب الخلافات حول جدول الأعمال."
    static let after = "وأضاف المسؤولون أن الوفدين سيبحثان ملفات التعاون الاقتصادي والأمني، إلى جانب قضايا الحدود والمياه التي ظلت عالقة منذ سنوات طويلة دون حل."

    static func roleInBody(_ line: String) -> TextLineRole? {
        let cleaned = TextCleaner().clean([before, line, after].joined(separator: "\n"))
        let collapsed = TextFolding.collapseWhitespace(TextCleanerRules.removingInlineShortcodes(line))
        return cleaned.lines.first { $0.line == collapsed || $0.line == TextFolding.collapseWhitespace(line) }?.role
    }

    static let furnitureLines: [(String, TextLineRole)] = [
        ("[ad_1]", .shortcode),
        ("[source_link]", .shortcode),
        ("[caption id=\"attachment_12\" align=\"alignnone\" width=\"800\"]", .shortcode),
        ("x", .uiToken),
        ("×", .uiToken),
        ("»", .uiToken),
        ("1 / 12", .uiToken),
        ("اتصل بنا", .furniture),
        ("Contact Us", .furniture),
        ("الرئيسية | سياسة | اقتصاد | رياضة | من نحن | اتصل بنا", .furniture),
        ("Home  ·  News  ·  Sports  ·  Opinion  ·  Contact", .furniture),
        ("لا توجد تعليقات", .furniture),
        ("أضف تعليقاً", .furniture),
        ("شارك الخبر", .furniture),
        ("شارك عبر: فيسبوك تويتر واتساب", .furniture),
        ("Share on Facebook  Twitter  WhatsApp", .furniture),
        ("اضغط هنا لمتابعة القراءة على موقع المصدر", .furniture),
        ("Click here to read the full story", .furniture),
        ("شكراً على الإبلاغ!", .furniture),
        ("جميع الحقوق محفوظة لصحيفة المدينة 2024", .furniture),
        ("حمل التطبيق الآن واحصل على إشعارات فورية بآخر الأخبار مجانا", .promotion),
        ("انضموا إلى قناتنا على تيليجرام ليصلك كل جديد", .promotion),
        ("Get breaking news alerts straight to your inbox: download the app", .promotion),
        ("جانب من الاجتماع في قصر اليمامة بالرياض (واس)", .caption),
        ("المتظاهرون أمام مبنى البرلمان وسط بيروت (أ ف ب)", .caption),
        ("Smoke rises over the city after an overnight strike (Reuters)", .caption),
        ("وزير الخارجية يصافح نظيره في أنقرة (صورة أرشيفية - الأناضول)", .caption),
        ("بقلم: أحمد عبد الله", .byline),
        ("آخر تحديث: 12 مارس 2024 - 10:30 ص", .dateline),
        ("الأحد 3 سبتمبر 2023 | 07:15 مساءً", .dateline),
    ]

    @Test(arguments: furnitureLines)
    func furnitureLineIsRemoved(line: String, role: TextLineRole) {
        #expect(Self.roleInBody(line) == role)
    }

    /// Article sentences that share words with furniture, dates or bylines.
    static let articleLines: [String] = [
        "وقال المتحدث إنه اتصل بنا هاتفيا صباح اليوم ليبلغنا بقرار الحكومة الجديد بشأن أسعار الوقود.",
        "اتصل الرئيس بنظيره الفرنسي لبحث الأزمة",
        "وفي 19 يونيو 2024 وقع الرئيسان الاتفاق في بيونغ يانغ بحضور كبار المسؤولين من البلدين.",
        "كتب الرئيس الأمريكي على منصته للتواصل الاجتماعي أن المفاوضات ستستمر حتى نهاية الأسبوع.",
        "كتب الشاعر قصيدته الأولى عام 1990",
        "ودعت الشرطة المواطنين إلى الإبلاغ عن أي نشاط مشبوه في محيط المدارس والأسواق الشعبية.",
        "أعلنت الوزارة إطلاق تطبيق جديد يتيح للمواطنين الاشتراك في خدمة التنبيهات الصحية مجانا.",
        "قال الجيش إن القصف استمر طوال الليل. وأضاف أن الخسائر كانت كبيرة في الأحياء الشرقية (رويترز)",
        "نفوذ روسي",
        "“زواج مصلحة”",
        "مصادر: المفاوضات في 2024 لن تكون سهلة",
        "وانتشر المقطع على فيسبوك وتويتر خلال ساعات من نشره، وأثار جدلا واسعا بين المستخدمين.",
        "The ministry said on Tuesday that it would publish the full report in March.",
    ]

    @Test(arguments: articleLines)
    func articleLineStays(line: String) {
        #expect(Self.roleInBody(line) == .text)
    }

    // MARK: Tickers

    static let nbspRun = "\u{A0}\u{A0}\u{A0}\u{A0}"

    @Test func tickerOfHeadlinesIsRemoved() {
        let ticker = [
            "أمير المنطقة يفتتح مشروعات تنموية جديدة", "ارتفاع أسعار النفط في التعاملات الآسيوية",
            "المنتخب يتأهل إلى نهائي البطولة", "الأرصاد تحذر من أمطار رعدية على المرتفعات",
            "افتتاح معرض الكتاب بمشاركة 500 دار نشر",
        ].joined(separator: Self.nbspRun)
        #expect(TickerDetector.isTicker(ticker))
        #expect(Self.roleInBody(ticker) == .ticker)
    }

    @Test func paragraphWithDoubleSpacesIsNotATicker() {
        let paragraph = "قال الوزير إن الحكومة ستعلن الخطة الأسبوع المقبل.  وأضاف أن اللجان أنهت عملها.  وأشار إلى أن التمويل متوفر.  وختم بأن التنفيذ يبدأ فورا."
        #expect(!TickerDetector.isTicker(paragraph))
        let table = "الفريق  لعب  فاز  تعادل  خسر"
        #expect(!TickerDetector.isTicker(table))
    }

    // MARK: Position

    @Test func headerGivesTitleAndDropsKickersAndCaptions() {
        let text = """
            عاجل
            الحكومة تقر موازنة العام المقبل بعجز أقل من المتوقع
            الأربعاء 5 يونيو 2024 11:20 ص
            الحكومة تقر موازنة العام المقبل بعجز أقل من المتوقع
            مجلس الوزراء
            \(Self.before)
            \(Self.after)
            """
        let cleaned = TextCleaner().clean(text)
        #expect(cleaned.title == "الحكومة تقر موازنة العام المقبل بعجز أقل من المتوقع")
        #expect(cleaned.publishedAt == "2024-06-05T11:20:00")
        #expect(cleaned.text == [Self.before, Self.after].joined(separator: "\n"))
        #expect(cleaned.lines.map(\.role) == [.furniture, .title, .dateline, .repeatedTitle, .beforeArticle, .text, .text])
    }

    @Test func sectionKickerIsNotTheTitle() {
        let cleaned = TextCleaner().clean(["أخبار عربية ودولية", "البرلمان يقر قانون الانتخابات الجديد بأغلبية واسعة", Self.before].joined(separator: "\n"))
        #expect(cleaned.title == "البرلمان يقر قانون الانتخابات الجديد بأغلبية واسعة")
        #expect(cleaned.lines.first?.role == .beforeArticle)
    }

    @Test func leadWithoutFullStopAfterTheTitleStays() {
        let lead = "أعلنت الحكومة اليوم عن خطة شاملة لإصلاح قطاع الكهرباء تشمل بناء محطات جديدة وتحديث الشبكة القديمة"
        let cleaned = TextCleaner().clean(["خطة لإصلاح قطاع الكهرباء", lead, "صورة المحطة", Self.before].joined(separator: "\n"))
        #expect(cleaned.title == "خطة لإصلاح قطاع الكهرباء")
        #expect(cleaned.text == [lead, Self.before].joined(separator: "\n"))
    }

    @Test func trailingTagsAndWidgetHeadingsGoButClosingSentencesStay() {
        let text = [Self.before, Self.after, "وانتهى الاجتماع دون بيان.", "روسيا كوريا الشمالية بوتين", "المصدر: وكالات", "الأكثر قراءة"].joined(separator: "\n")
        let cleaned = TextCleaner().clean(text)
        #expect(cleaned.text == [Self.before, Self.after, "وانتهى الاجتماع دون بيان."].joined(separator: "\n"))
    }

    @Test func subheadingsBetweenParagraphsStay() {
        let text = [Self.before, "إحياء تحالف قديم", Self.after].joined(separator: "\n")
        #expect(TextCleaner().clean(text).text == text)
    }

    @Test func knownTitleRepeatedInTheTextIsDropped() {
        let title = "الحكومة تقر موازنة العام المقبل"
        let cleaned = TextCleaner().clean([title, Self.before, "الحكومة تقر موازنة العام المقبل", Self.after].joined(separator: "\n"), knownTitle: title)
        #expect(cleaned.text == [Self.before, Self.after].joined(separator: "\n"))
        #expect(cleaned.title == nil)
    }

    @Test func inlineShortcodesAreStrippedFromParagraphs() {
        let cleaned = TextCleaner().clean("[ad_1] " + Self.before + " [ad_2]\n" + Self.after)
        #expect(cleaned.text == [Self.before, Self.after].joined(separator: "\n"))
        #expect(TextCleanerRules.removingInlineShortcodes("انظر المرجع [1] والملاحظة [sic]") == "انظر المرجع [1] والملاحظة [sic]")
    }

    @Test func shortTruncatedLastParagraphStays() {
        let truncated = "وأكد المتحدث أن الاجتماع المقبل سيعقد في العاصمة بحضور ممثلين عن جميع الأطراف المعنية وذلك بعد"
        let cleaned = TextCleaner().clean([Self.before, Self.after, truncated].joined(separator: "\n"))
        #expect(cleaned.text == [Self.before, Self.after, truncated].joined(separator: "\n"))
    }

    @Test func truncatedTextStaysAsItIs() {
        let truncated = "وأشار تقرير إلى أن روسيا بدأت تواصلها الموسع مع عدة دول بعد فبراير 2022، حيث دفعت الانتكاسات المبكرة في ساحة المعركة والعقوبات، موسكو إلى البحث عن مصادر جديدة للأسلحة"
        let cleaned = TextCleaner().clean([Self.before, truncated].joined(separator: "\n"))
        #expect(cleaned.text.hasSuffix("مصادر جديدة للأسلحة"))
    }

    @Test func textWithoutParagraphsIsKept() {
        // Nothing to anchor the article on: keep what no line rule claims.
        let text = "خبر قصير جدا\nسطر ثان قصير"
        #expect(TextCleaner().clean(text).text == text)
    }

    // MARK: Metadata

    static let stamps: [(line: String, date: String, site: String?)] = [
        ("نشر في الوطن يوم 20 - 06 - 2024", "2024-06-20", "الوطن"),
        ("نشر في الشروق يوم 03 - 05 - 2023", "2023-05-03", "الشروق"),
        ("نيسان ـ نشر في 2024-06-19 الساعة 14:49", "2024-06-19T14:49:00", "نيسان"),
        ("الأهرام - نشر في 2023-01-15 الساعة 09:00", "2023-01-15T09:00:00", "الأهرام"),
        ("الثلاثاء، 19 نوفمبر 2024 02:31 م", "2024-11-19T14:31:00", nil),
        ("نشر في 12 مارس 2024", "2024-03-12", nil),
    ]

    @Test(arguments: stamps)
    func stampLineBecomesMetadata(line: String, date: String, site: String?) {
        let cleaned = TextCleaner().clean([line, Self.before, Self.after].joined(separator: "\n"))
        #expect(cleaned.publishedAt == date)
        #expect(cleaned.siteName == site)
        #expect(cleaned.lines.first?.role == .dateline)
        #expect(!cleaned.text.contains(line))
    }

    static let bylines: [(line: String, author: String)] = [
        ("بواسطة نجيم", "نجيم"),
        ("بقلم: أحمد عبد الله", "أحمد عبد الله"),
        ("كتب - سامي علي", "سامي علي"),
        ("By Jane Doe", "Jane Doe"),
    ]

    @Test(arguments: bylines)
    func bylineBecomesAuthor(line: String, author: String) {
        let cleaned = TextCleaner().clean([line, Self.before].joined(separator: "\n"))
        #expect(cleaned.author == author)
        #expect(cleaned.text == Self.before)
    }

    @Test func agencyDatelineAtTheStartOfTheLeadIsText() {
        let lead = "نيسان ـ قال الرئيس الروسي فلاديمير بوتين، اليوم الأربعاء، عقب محادثات في بيونغ يانغ إن المعاهدة الجديدة تنص على المساعدة المتبادلة."
        let cleaned = TextCleaner().clean(["نيسان ـ نشر في 2024-06-19 الساعة 14:49", lead].joined(separator: "\n"))
        #expect(cleaned.text == lead)
        #expect(cleaned.siteName == "نيسان")
    }
}
