import Foundation
import Testing
import KhabarCore

/// Throughput of the sitemap and feed parsers on the files `scripts/bench-discover.sh`
/// generates; runs only when that script sets KHABAR_BENCH_DISCOVER_DIR.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["KHABAR_BENCH_DISCOVER_DIR"] != nil))
struct DiscoverBenchmarkTests {
    static let directory = ProcessInfo.processInfo.environment["KHABAR_BENCH_DISCOVER_DIR"] ?? ""
    static let repeats = 5

    /// The fastest of `repeats` runs of `body`, in seconds.
    func fastest(_ body: () throws -> Int, expecting count: Int) rethrows -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<Self.repeats {
            let start = clock.now
            let parsed = try body()
            let elapsed = clock.now - start
            #expect(parsed == count)
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return best
    }

    func report(_ name: String, entries: Int, seconds: Double, bytes: Int) {
        print(String(format: "BENCH swift %@ entries=%d seconds=%.4f entries_per_s=%.0f MB_per_s=%.1f",
                     name, entries, seconds, Double(entries) / seconds, Double(bytes) / seconds / 1e6))
    }

    @Test func sitemapThroughput() throws {
        let limits = SitemapParser.Limits(maxEntries: 1_000_000, maxInflatedBytes: 1 << 30)
        let parser = SitemapParser(limits: limits)
        for (file, count) in [("sitemap-100k.xml", 100_000), ("news-sitemap-100k.xml", 100_000), ("sitemap-100k.xml.gz", 100_000)] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/\(file)")))
            let seconds = try fastest({ try parser.parse(bytes, url: "https://www.example.com/\(file)").entries.count }, expecting: count)
            report(file, entries: count, seconds: seconds, bytes: bytes.count)
        }
    }

    @Test func feedThroughput() throws {
        let parser = FeedParser(maxItems: 1_000_000)
        let file = "rss-10k.xml"
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/\(file)")))
        let seconds = try fastest({ try parser.parse(bytes, url: "https://www.example.com/rss").items.count }, expecting: 10_000)
        report(file, entries: 10_000, seconds: seconds, bytes: bytes.count)
    }

    @Test func canonicalizerThroughput() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/sitemap-100k.xml")))
        let urls = try SitemapParser(limits: .init(maxEntries: 1_000_000)).parse(bytes, url: "s").entries.map(\.url)
        let canonicalizer = URLCanonicalizer()
        let seconds = fastest({ urls.reduce(0) { $0 + (canonicalizer.canonicalize($1) == nil ? 0 : 1) } }, expecting: urls.count)
        report("canonicalize", entries: urls.count, seconds: seconds, bytes: urls.reduce(0) { $0 + $1.utf8.count })
    }
}
