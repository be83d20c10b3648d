import Foundation
import KhabarCore

/// Real article bodies (Fixtures/dedup) and the ways republishers alter them.
enum DedupFixtures {
    static let storyNumbers = 0..<5

    /// Paragraphs of story `number` (gold text of seed 00N).
    static func paragraphs(_ number: Int) -> [String] {
        let name = String(format: "Fixtures/dedup/story-%03d", number)
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("missing fixture \(name).txt") }
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    static func story(_ number: Int) -> String { paragraphs(number).joined(separator: "\n") }

    /// An auto-blog's own opening, as they put before agency copy.
    static let addedIntro =
        "في تطور لافت على الساحة الدولية، تابع المراقبون باهتمام كبير الزيارة التي قام بها الرئيس الروسي إلى بيونغ يانغ، والتي وصفها محللون بأنها نقطة تحول في العلاقات بين البلدين وفي موازين القوى في المنطقة بأسرها."

    static let addedSentence =
        "ويرى خبراء أن هذه الخطوة ستفتح الباب أمام مرحلة جديدة من التعاون بين موسكو وبيونغ يانغ في مجالات عدة."

    /// Same words, other spelling: diacritics, hamza and alef maqsura variants, taa marbuta
    /// written as haa, tatweel, other punctuation and digits. Folds to the same text.
    static func respelled(_ text: String) -> String {
        var words: [String] = []
        for (index, word) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            var scalars = String.UnicodeScalarView()
            for (position, scalar) in word.unicodeScalars.enumerated() {
                switch scalar {
                case "أ", "إ", "آ": scalars.append("ا")
                case "ا" where position == 0 && index % 3 == 0: scalars.append("أ")
                case "ى": scalars.append("ي")
                case "ة" where index % 2 == 0: scalars.append("ه")
                case "،": scalars.append(",")
                case "0"..."9": scalars.append(Unicode.Scalar(scalar.value - 0x30 + 0x0660)!)
                default:
                    scalars.append(scalar)
                    // A fatha after some letters, a kashida (tatweel) inside some words.
                    if index % 4 == 1 && position == 1 { scalars.append("\u{064E}") }
                    if index % 7 == 2 && position == 2 { scalars.append("\u{0640}") }
                }
            }
            words.append(String(scalars))
        }
        return words.joined(separator: " ").replacingOccurrences(of: ".", with: " .")
    }

    /// A new intro paragraph, and the last paragraph gone.
    static func introAddedLastRemoved(_ number: Int) -> String {
        ([addedIntro] + paragraphs(number).dropLast()).joined(separator: "\n")
    }

    /// A sentence added in the middle, ad and "read also" lines in between, punctuation changed.
    static func sentenceAndFurnitureAdded(_ number: Int) -> String {
        var lines = paragraphs(number)
        lines.insert(addedSentence, at: lines.count / 2)
        lines.insert("إعلان", at: 2)
        lines.insert("اقرأ أيضا: بوتين يصل إلى فيتنام بعد كوريا الشمالية", at: lines.count - 1)
        return lines.joined(separator: "\n").replacingOccurrences(of: "،", with: " -")
    }

    /// The copy rewords a little: every `interval`-th word replaced by another.
    static func reworded(_ number: Int, every interval: Int) -> String {
        let replacements = ["كذلك", "أيضا", "حاليا", "رسميا", "مؤخرا"]
        var words = story(number).split(separator: " ").map(String.init)
        for index in stride(from: interval / 2, to: words.count, by: interval) {
            words[index] = replacements[index % replacements.count]
        }
        return words.joined(separator: " ")
    }

    /// Only the first `share` of the paragraphs (a republisher cutting the story short).
    static func truncated(_ number: Int, keeping share: Double) -> String {
        let lines = paragraphs(number)
        return lines.prefix(max(1, Int((Double(lines.count) * share).rounded()))).joined(separator: "\n")
    }

    /// A different report that quotes a couple of paragraphs of `quoted`: same topic, shared
    /// sentences, another article.
    static func otherStoryQuoting(_ number: Int, paragraphsOf quoted: Int) -> String {
        (paragraphs(number) + paragraphs(quoted).prefix(3).dropFirst()).joined(separator: "\n")
    }
}
