import Foundation
import KhabarCore

/// The batch protocol of `../shared/score/evaluate.py`: `PATH<TAB>LANG` lines in, one
/// `{"id","text","elapsed_s"}` line out per input, timing extraction only (file already read).
enum BenchmarkBatch {
    struct Line: Encodable {
        var id: String
        var text: String
        var elapsed_s: Double
    }

    static func run(extractor: ArticleExtractor) {
        let clock = ContinuousClock()
        let encoder = JSONEncoder()
        while let line = readLine(strippingNewline: true) {
            let path = String(line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            let id = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Array.init) ?? []
            var text = ""
            let elapsed = clock.measure {
                if case .success(let article) = extractor.extract(html: bytes) { text = article.text }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let data = (try? encoder.encode(Line(id: id, text: text, elapsed_s: seconds))) ?? Data()
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
}
