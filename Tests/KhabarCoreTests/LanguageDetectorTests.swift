import Testing
@testable import KhabarCore

@Suite struct LanguageDetectorTests {
    struct Sample: CustomTestStringConvertible, Sendable {
        var code: String
        var text: String
        var direction = "ltr"
        var testDescription: String { code }
    }

    static let samples: [Sample] = [
        Sample(code: "ar", text: "أعلنت الحكومة المصرية اليوم عن خطة جديدة لدعم الاقتصاد الوطني وتشجيع الاستثمار في المشروعات الصغيرة والمتوسطة، وقال وزير المالية إن الخطة ستبدأ خلال أسابيع.", direction: "rtl"),
        Sample(code: "fa", text: "دولت ایران امروز اعلام کرد که برنامه جدیدی برای حمایت از اقتصاد ملی و تشویق سرمایه‌گذاری در پروژه‌های کوچک دارد. این برنامه از ماه آینده اجرا می‌شود.", direction: "rtl"),
        Sample(code: "ur", text: "پاکستان کی حکومت نے آج اعلان کیا ہے کہ وہ چھوٹے کاروبار کی مدد کے لیے ایک نیا منصوبہ شروع کر رہی ہے۔ وزیر خزانہ نے کہا کہ اس سے روزگار میں اضافہ ہوگا۔", direction: "rtl"),
        Sample(code: "en", text: "The government announced on Monday that it would expand support for small businesses, and officials said the plan was expected to create thousands of jobs."),
        Sample(code: "it", text: "Il governo ha annunciato lunedì un nuovo piano per sostenere le piccole imprese, e secondo il ministro della economia questo sarà pronto entro la fine del mese."),
        Sample(code: "pt", text: "O governo anunciou na segunda-feira um novo plano para apoiar as pequenas empresas, e o ministro disse que a medida vai criar milhares de empregos no país."),
        Sample(code: "de", text: "Die Regierung hat am Montag angekündigt, dass sie die Unterstützung für kleine Unternehmen ausweiten wird, und der Minister sagte, es sei nicht nur eine Frage des Geldes."),
        Sample(code: "id", text: "Pemerintah mengumumkan pada hari Senin bahwa mereka akan memperluas dukungan untuk usaha kecil, dan menteri mengatakan rencana tersebut dapat menciptakan ribuan lapangan kerja."),
        Sample(code: "fr", text: "Le gouvernement a annoncé lundi un nouveau plan pour soutenir les petites entreprises, et le ministre a précisé que les mesures seront appliquées dans les prochaines semaines."),
        Sample(code: "es", text: "El gobierno anunció el lunes un nuevo plan para apoyar a las pequeñas empresas, y el ministro dijo que las medidas se aplicarán en las próximas semanas."),
        Sample(code: "nl", text: "De regering heeft maandag aangekondigd dat zij de steun voor kleine bedrijven uitbreidt, en de minister zei dat het plan naar verwachting duizenden banen oplevert."),
        Sample(code: "tr", text: "Hükümet pazartesi günü küçük işletmeler için yeni bir destek planı açıkladı ve bakan bu planın binlerce iş imkanı yaratacağını söyledi, ancak ayrıntılar daha sonra verilecek."),
        Sample(code: "ru", text: "Правительство объявило в понедельник о новом плане поддержки малого бизнеса, и министр заявил, что это создаст тысячи рабочих мест."),
        Sample(code: "uk", text: "Уряд оголосив у понеділок про новий план підтримки малого бізнесу, і міністр заявив, що це створить тисячі робочих місць у країні."),
        Sample(code: "bg", text: "Правителството обяви в понеделник нов план за подкрепа на малкия бизнес, като министърът заяви, че той ще създаде хиляди работни места, защото търсенето расте."),
        Sample(code: "el", text: "Η κυβέρνηση ανακοίνωσε τη Δευτέρα ένα νέο σχέδιο για τη στήριξη των μικρών επιχειρήσεων."),
        Sample(code: "he", text: "הממשלה הודיעה ביום שני על תוכנית חדשה לתמיכה בעסקים קטנים, והשר אמר כי התוכנית תיצור אלפי מקומות עבודה.", direction: "rtl"),
        Sample(code: "ja", text: "政府は月曜日、中小企業を支援するための新しい計画を発表し、大臣は数千人の雇用を生み出すと述べた。"),
        Sample(code: "ko", text: "정부는 월요일 중소기업을 지원하기 위한 새로운 계획을 발표했으며 장관은 수천 개의 일자리를 만들 것이라고 말했다."),
        Sample(code: "zh", text: "政府周一宣布了一项支持小企业的新计划，部长表示该计划将创造数千个就业机会。"),
        Sample(code: "th", text: "รัฐบาลประกาศเมื่อวันจันทร์ถึงแผนใหม่ในการสนับสนุนธุรกิจขนาดเล็ก"),
        Sample(code: "hi", text: "सरकार ने सोमवार को छोटे व्यवसायों की सहायता के लिए एक नई योजना की घोषणा की।"),
    ]

    @Test(arguments: samples)
    func detectsLanguageWithoutDeclaration(_ sample: Sample) {
        let detected = LanguageDetector.detect(text: sample.text, declared: nil)
        #expect(detected.code == sample.code)
        #expect(detected.direction == sample.direction)
    }

    /// A page declaring some other language of the same script does not outvote clear text.
    @Test func clearTextOutweighsAWrongDeclarationInTheSameScript() {
        let persian = Self.samples.first { $0.code == "fa" }!.text
        #expect(LanguageDetector.detect(text: persian, declared: "ar").code == "fa")
        let arabic = Self.samples.first { $0.code == "ar" }!.text
        #expect(LanguageDetector.detect(text: arabic, declared: "ur").code == "ar")
        let german = Self.samples.first { $0.code == "de" }!.text
        #expect(LanguageDetector.detect(text: german, declared: "en-GB").code == "de")
    }

    @Test func arabicArticleOnAPageDeclaringEnglish() {
        let arabic = Self.samples.first { $0.code == "ar" }!.text
        let detected = LanguageDetector.detect(text: arabic, declared: "en")
        #expect(detected == DetectedLanguage(code: "ar", direction: "rtl", arabicLetterRatio: 1))
    }

    @Test func mixedArabicWithEnglishNames() {
        let text = "التقى الرئيس Joe Biden مع رئيس الوزراء Benjamin Netanyahu في البيت الأبيض، وقالت وكالة Reuters إن اللقاء استمر ساعتين وتناول الأوضاع في المنطقة."
        let detected = LanguageDetector.detect(text: text, declared: nil)
        #expect(detected.code == "ar")
        #expect(detected.direction == "rtl")
        #expect(detected.arabicLetterRatio > 0.5 && detected.arabicLetterRatio < 0.9)
    }

    @Test func englishTextWithArabicQuotationStaysEnglish() {
        let text = "The minister, speaking in Cairo, used the phrase \"شكرا جزيلا\" when he thanked the delegation for their visit and said that the talks were useful."
        let detected = LanguageDetector.detect(text: text, declared: "ar")
        #expect(detected.code == "en")
        #expect(detected.direction == "ltr")
        #expect(detected.arabicLetterRatio > 0 && detected.arabicLetterRatio < 0.2)
    }

    @Test func declarationAgreeingWithTheScriptIsKept() {
        // Malay reads much like Indonesian; a page declaring it keeps it.
        let malay = "Kerajaan mengumumkan pada hari Isnin bahawa mereka akan meluaskan sokongan untuk perniagaan kecil dan menteri berkata rancangan itu akan mewujudkan ribuan pekerjaan."
        #expect(LanguageDetector.detect(text: malay, declared: "ms-MY").code == "ms")
        // Sorani Kurdish is written in Arabic script.
        let kurdish = "حکومەت ڕایگەیاند کە پلانێکی نوێ بۆ پشتگیری بازرگانییە بچووکەکان دادەنێت"
        let detected = LanguageDetector.detect(text: kurdish, declared: "ckb")
        #expect(detected.code == "ckb")
        #expect(detected.direction == "rtl")
    }

    @Test func shortTextFallsBackToTheDeclaration() {
        #expect(LanguageDetector.detect(text: "Bonjour", declared: "fr-CA").code == "fr")
        #expect(LanguageDetector.detect(text: "عاجل", declared: "fa_IR").code == "fa")
        #expect(LanguageDetector.detect(text: "Hello", declared: nil).code == nil)
        #expect(LanguageDetector.detect(text: "عاجل", declared: nil) == DetectedLanguage(code: "ar", direction: "rtl", arabicLetterRatio: 1))
    }

    @Test func latinTextWithoutFunctionWordsUsesOnlyALatinDeclaration() {
        let names = "Nairobi Mombasa Kisumu Nakuru Eldoret Malindi Lamu"
        #expect(LanguageDetector.detect(text: names, declared: "sw").code == "sw")
        #expect(LanguageDetector.detect(text: names, declared: "ar").code == nil)
        #expect(LanguageDetector.detect(text: names, declared: nil).code == nil)
    }

    @Test func emptyText() {
        #expect(LanguageDetector.detect(text: "", declared: nil) == DetectedLanguage(code: nil, direction: "ltr", arabicLetterRatio: 0))
        #expect(LanguageDetector.detect(text: "  123 — !", declared: "he") == DetectedLanguage(code: "he", direction: "rtl", arabicLetterRatio: 0))
    }

    @Test(arguments: [
        ("ar-EG", "ar"), ("en_US", "en"), ("EN", "en"), (" fr ", "fr"), ("iw", "he"), ("in", "id"),
        ("zh-Hant-TW", "zh"), ("ckb", "ckb"), ("english", nil), ("", nil), ("x", nil), ("12", nil),
    ] as [(String, String?)])
    func normalizesDeclaredCodes(_ declared: String, _ expected: String?) {
        #expect(LanguageDetector.normalizedCode(declared) == expected)
    }

    @Test func samplesOnlyTheBeginningOfLongTexts() {
        let arabic = Self.samples.first { $0.code == "ar" }!.text
        let english = Self.samples.first { $0.code == "en" }!.text
        let text = String(repeating: arabic + " ", count: 300) + String(repeating: english + " ", count: 2000)
        #expect(LanguageDetector.detect(text: text, declared: nil).code == "ar")
    }
}
