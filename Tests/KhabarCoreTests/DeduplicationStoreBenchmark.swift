import Foundation
import Testing

@testable import KhabarCore

/// Decisions per second against the SQLite store as it grows (release build, opt-in with
/// `KHABAR_BENCH_DEDUP_STORE=N`): the judge is serial, so its rate caps the pipeline's. Each
/// record has a distinct random signature, the worst case for the band index.
@Suite struct DeduplicationStoreBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KHABAR_BENCH_DEDUP_STORE"] != nil))
    func judgeRateAsTheStoreGrows() async throws {
        let total = Int(ProcessInfo.processInfo.environment["KHABAR_BENCH_DEDUP_STORE"] ?? "") ?? 100_000
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dedup-store-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStateStore(directory: directory)
        let judge = DeduplicatingJudge(store: store)
        var generator = SystemRandomNumberGenerator()
        let parameters = MinHashParameters.standard
        let step = max(1, total / 8)
        var clock = ContinuousClock.now
        var report: [String] = []
        for index in 0..<total {
            let signature = MinHashSignature(values: (0..<parameters.permutationCount).map { _ in UInt32.random(in: .min ... .max, using: &generator) })
            let fingerprint = TextFingerprint(
                contentHash: String(UInt64.random(in: .min ... .max, using: &generator), radix: 16), wordCount: 800, shingleCount: 796,
                signature: signature, bandKeys: signature.bandKeys(bands: parameters.bands, rowsPerBand: parameters.rowsPerBand))
            let url = "https://bench.example/news/\(index)"
            // Ids are hex digests of the canonical URL: random keys, as in the pipeline.
            let id = String(UInt64.random(in: .min ... .max, using: &generator), radix: 16) + String(UInt64.random(in: .min ... .max, using: &generator), radix: 16)
            let record = ArticleRecord(
                id: id, url: url, canonicalURL: url, source: "bench", fetchedAt: "2026-11-23T00:00:00Z", text: "", wordCount: 800,
                contentHash: fingerprint.contentHash)
            _ = try await judge.judge(record, prepared: fingerprint)
            if (index + 1) % step == 0 {
                let seconds = DeduplicateEvaluationTests.seconds(since: clock)
                report.append("  records \(index + 1 - step)–\(index + 1): \(Int(Double(step) / seconds)) decisions/s")
                clock = .now
            }
        }
        try await judge.flush()
        let size = (try? FileManager.default.attributesOfItem(atPath: store.databaseURL.path)[.size] as? Int) ?? 0
        print("dedup store bench (\(total) distinct records, SQLite \(size / 1_000_000) MB):\n" + report.joined(separator: "\n"))
    }
}
