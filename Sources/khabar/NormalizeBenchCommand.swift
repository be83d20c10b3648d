import ArgumentParser
import Foundation
import KhabarCore

/// `khabar normalize-benchmark CORPUS`: times `ArabicNormalizer` and `ArabicFolding` over a
/// corpus held in memory (documents separated by form feeds) and prints one JSON object:
/// bytes, documents and MB/s (10^6 bytes of input per second, fastest of `--repeat` runs) for
/// normalize, fold (of normalized text) and both. Used by scripts/bench-normalize.sh.
struct NormalizeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize-benchmark",
        abstract: "Time the text normalizer on a corpus (development only).",
        shouldDisplay: false
    )

    @Option(help: "Timed runs per measure; the fastest is reported.")
    var `repeat` = 5

    @Argument(help: "A UTF-8 text file; documents are separated by form feeds (U+000C).")
    var corpus: String

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: corpus))
        let documents = data.split(separator: 0x0C).map { String(decoding: $0, as: UTF8.self) }
        let inputBytes = documents.reduce(0) { $0 + $1.utf8.count }
        let normalizer = ArabicNormalizer()
        let folding = ArabicFolding()
        let normalized = documents.map(normalizer.normalize)
        let normalizedBytes = normalized.reduce(0) { $0 + $1.utf8.count }

        var checksum = 0
        func fastest(_ body: () -> Void) -> Double {
            let clock = ContinuousClock()
            return (0..<max(1, `repeat`)).map { _ in clock.measure(body).seconds }.min() ?? .infinity
        }
        let normalizeSeconds = fastest {
            for document in documents { checksum &+= normalizer.normalize(document).utf8.count }
        }
        let foldSeconds = fastest {
            for document in normalized { checksum &+= folding.foldNormalized(document).utf8.count }
        }
        let bothSeconds = fastest {
            for document in documents {
                let forms = normalizer.normalizeAndFold(document)
                checksum &+= forms.display.utf8.count &+ forms.folded.utf8.count
            }
        }
        func megabytesPerSecond(_ bytes: Int, _ seconds: Double) -> String {
            String(format: "%.1f", Double(bytes) / 1e6 / seconds)
        }
        print(
            #"{"bytes": \#(inputBytes), "documents": \#(documents.count), "normalized_bytes": \#(normalizedBytes), "#
                + #""normalize_mb_s": \#(megabytesPerSecond(inputBytes, normalizeSeconds)), "#
                + #""fold_mb_s": \#(megabytesPerSecond(normalizedBytes, foldSeconds)), "#
                + #""both_mb_s": \#(megabytesPerSecond(inputBytes, bothSeconds)), "checksum": \#(checksum)}"#
        )
    }
}
