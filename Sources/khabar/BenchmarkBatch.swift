import Foundation
import KhabarCore

/// The batch protocol of `../shared/score/evaluate.py`: `PATH<TAB>LANG` lines in, one
/// `{"id","text","elapsed_s"}` line out per input, in order. Only the extraction is timed (the
/// file is already in memory) and the line is written after the clock stops.
enum BenchmarkBatch {
    enum Mode {
        /// The whole cleaner: `ArticleExtractor.extract`.
        case extract(ArticleExtractor)
        /// libxml2's parse of the raw bytes alone (`ParseBaseline`); `text` is always "".
        case parseOnly
    }

    static func run(_ mode: Mode) {
        let clock = ContinuousClock()
        var output = StandardOutput()
        var line = JSONLineWriter(capacity: 16 * 1024)
        var sink = 0
        while let input = readLine(strippingNewline: true) {
            let path = String(input.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            if path.isEmpty { continue }
            let id = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            var readError: String?
            var bytes: [UInt8] = []
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                readError = "cannot read: \(error.localizedDescription)"
            }
            var text = ""
            let elapsed = clock.measure {
                switch mode {
                case .extract(let extractor):
                    if case .success(let article) = extractor.extract(html: bytes) { text = article.text }
                case .parseOnly:
                    sink &+= ParseBaseline.parse(bytes)
                }
            }
            line.reset()
            line.field("id", id)
            line.field("text", text)
            line.field("elapsed_s", elapsed.seconds)
            if let readError { line.field("error", readError) }
            output.write(line.finish())
            output.flush()  // one write per page: the protocol may be driven line by line
        }
        // Keeps the parse-only results observable so the optimizer cannot discard the parse.
        if sink == Int.min { FileHandle.standardError.write(Data("\(sink)\n".utf8)) }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
