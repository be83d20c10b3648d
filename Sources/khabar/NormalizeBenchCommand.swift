import ArgumentParser
import Foundation
@_spi(Benchmark) import KhabarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `khabar normalize-benchmark CORPUS`: times `ArabicNormalizer`, `ArabicFolding` and
/// `TextCleaner` over a corpus held in memory (documents separated by form feeds) and prints one
/// JSON object: bytes, documents and MB/s (10^6 bytes of input per second, fastest of `--repeat`
/// runs) for normalize, fold (of normalized text), both (`normalizeAndFold`), clean
/// (`TextCleaner.clean`: line cleaning, then the display form of the kept text and title) and
/// pipeline (clean with the folded form of the cleaned text, as `khabar clean --folded` makes a
/// record: the scan writes the folded lines on its way), and
/// scan (the cleaner's line scan alone, the part that reads every byte).
/// Used by scripts/bench-normalize.sh.
///
/// Speeds are per second of this thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), so builds
/// sharing the core do not count; `*_wall_mb_s` gives the wall-clock figures as well.
struct NormalizeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize-benchmark",
        abstract: "Time the text normalizer on a corpus (development only).",
        shouldDisplay: false
    )

    @Option(help: "Timed runs per measure; the fastest is reported.")
    var `repeat` = 5

    @Option(help: "Time only this measure (normalize, fold, both, clean, pipeline, scan), e.g. under a profiler.")
    var only: String?

    /// Writes every document's display, folded and cleaned forms to this file instead of timing
    /// (to check that a faster version gives the same output).
    @Option(help: .hidden)
    var dump: String?

    @Argument(help: "A UTF-8 text file; documents are separated by form feeds (U+000C).")
    var corpus: String

    func run() throws {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: corpus)))
        let documents = data.split(separator: 0x0C).map { String(decoding: $0, as: UTF8.self) }
        let inputBytes = documents.reduce(0) { $0 + $1.utf8.count }
        let normalizer = ArabicNormalizer()
        let folding = ArabicFolding()
        let cleaner = TextCleaner()
        if let dump {
            var out = ""
            for document in documents {
                let display = normalizer.normalize(document)
                let cleaned = cleaner.clean(document, folding: true)
                out += "=== normalize\n\(display)\n--- fold\n\(folding.foldNormalized(display))\n--- fold-any\n\(folding.fold(document))\n"
                out += "--- clean \(cleaned.title ?? "-") | \(cleaned.author ?? "-") | \(cleaned.siteName ?? "-") | \(cleaned.publishedAt ?? "-")\n"
                out += "\(cleaned.text)\n--- clean-fold\n\(cleaned.foldedText ?? "-")\n--- roles\n"
                for line in cleaned.lines { out += "\(line.role.rawValue)\t\(line.line)\n" }
            }
            try Data(out.utf8).write(to: URL(fileURLWithPath: dump))
            return
        }
        let normalized = documents.map(normalizer.normalize)
        let normalizedBytes = normalized.reduce(0) { $0 + $1.utf8.count }

        var checksum = 0
        /// The fastest run: (CPU seconds, wall seconds).
        func fastest(_ measure: String, _ body: () -> Void) -> (cpu: Double, wall: Double) {
            if let only, only != measure { return (.nan, .nan) }
            let clock = ContinuousClock()
            var best = (cpu: Double.infinity, wall: Double.infinity)
            for _ in 0..<max(1, `repeat`) {
                let cpuStart = threadCPUSeconds()
                let wall = clock.measure(body).seconds
                best = (min(best.cpu, threadCPUSeconds() - cpuStart), min(best.wall, wall))
            }
            return best
        }
        let normalizeSeconds = fastest("normalize") {
            for document in documents { checksum &+= normalizer.normalize(document).utf8.count }
        }
        let foldSeconds = fastest("fold") {
            for document in normalized { checksum &+= folding.foldNormalized(document).utf8.count }
        }
        let bothSeconds = fastest("both") {
            for document in documents {
                let forms = normalizer.normalizeAndFold(document)
                checksum &+= forms.display.utf8.count &+ forms.folded.utf8.count
            }
        }
        let cleanSeconds = fastest("clean") {
            for document in documents {
                let cleaned = cleaner.clean(document)
                checksum &+= cleaned.text.utf8.count &+ (cleaned.title?.utf8.count ?? 0)
            }
        }
        let pipelineSeconds = fastest("pipeline") {
            for document in documents {
                let cleaned = cleaner.clean(document, folding: true)
                checksum &+= (cleaned.foldedText?.utf8.count ?? 0) &+ (cleaned.title?.utf8.count ?? 0)
            }
        }
        let scanSeconds = fastest("scan") {
            for document in documents { checksum &+= LineScanBenchmark.scan(document) }
        }
        func megabytesPerSecond(_ bytes: Int, _ seconds: Double) -> String {
            // A measure left out by `--only` is null (JSON has no NaN).
            seconds.isNaN ? "null" : String(format: "%.1f", Double(bytes) / 1e6 / seconds)
        }
        print(
            #"{"bytes": \#(inputBytes), "documents": \#(documents.count), "normalized_bytes": \#(normalizedBytes), "#
                + #""normalize_mb_s": \#(megabytesPerSecond(inputBytes, normalizeSeconds.cpu)), "#
                + #""fold_mb_s": \#(megabytesPerSecond(normalizedBytes, foldSeconds.cpu)), "#
                + #""both_mb_s": \#(megabytesPerSecond(inputBytes, bothSeconds.cpu)), "#
                + #""clean_mb_s": \#(megabytesPerSecond(inputBytes, cleanSeconds.cpu)), "#
                + #""pipeline_mb_s": \#(megabytesPerSecond(inputBytes, pipelineSeconds.cpu)), "#
                + #""scan_mb_s": \#(megabytesPerSecond(inputBytes, scanSeconds.cpu)), "#
                + #""normalize_wall_mb_s": \#(megabytesPerSecond(inputBytes, normalizeSeconds.wall)), "#
                + #""fold_wall_mb_s": \#(megabytesPerSecond(normalizedBytes, foldSeconds.wall)), "#
                + #""both_wall_mb_s": \#(megabytesPerSecond(inputBytes, bothSeconds.wall)), "#
                + #""clean_wall_mb_s": \#(megabytesPerSecond(inputBytes, cleanSeconds.wall)), "#
                + #""pipeline_wall_mb_s": \#(megabytesPerSecond(inputBytes, pipelineSeconds.wall)), "#
                + #""scan_wall_mb_s": \#(megabytesPerSecond(inputBytes, scanSeconds.wall)), "#
                + #""checksum": \#(checksum)}"#
        )
    }

    private func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
