import ArgumentParser
import Foundation
import KhabarCore

/// `khabar fetch-bench`: fetches every URL of a list through `CurlFetcher` with politeness
/// relaxed, for `scripts/bench-fetch.sh`. Hidden: a measuring tool, not a user command.
struct FetchBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-bench",
        abstract: "Fetch a URL list as fast as politeness settings allow (benchmark).",
        shouldDisplay: false
    )

    @Option(help: "File with one URL per line.")
    var urls: String

    @Option(help: "Fetches in flight at once (also the per-host and global limits).")
    var concurrency = 64

    @Option(help: "CIDR networks the SSRF guard lets through (the benchmark server is local).")
    var allow: [String] = ["127.0.0.0/8", "::1/128"]

    func run() async throws {
        let list = try String(contentsOfFile: urls, encoding: .utf8)
            .split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        var configuration = FetchConfiguration()
        configuration.userAgent = "khabar-bench/1.0 (+https://github.com/khabar/khabar)"
        configuration.perHostConcurrency = concurrency
        configuration.globalConcurrency = concurrency
        configuration.minimumDelayPerHost = .zero
        configuration.allowedNetworks = allow
        let fetcher = try CurlFetcher(configuration: configuration)
        defer { fetcher.shutdown() }

        let clock = ContinuousClock()
        let started = clock.now
        var succeeded = 0
        var failed = 0
        var bytes = 0
        var firstError: String?
        try await withThrowingTaskGroup(of: Result<Int, FetchError>.self) { group in
            var next = 0
            func launch() {
                let url = list[next]
                next += 1
                group.addTask {
                    do { return .success(try await fetcher.fetch(url).page.body.count) }
                    catch let error as FetchError { return .failure(error) }
                }
            }
            while next < list.count && next < concurrency { launch() }
            while let result = try await group.next() {
                switch result {
                case .success(let count): succeeded += 1; bytes += count
                case .failure(let error): failed += 1; if firstError == nil { firstError = error.description }
                }
                if next < list.count { launch() }
            }
        }
        let seconds = (clock.now - started).secondsValue
        print("fetch-bench: pages \(list.count) ok \(succeeded) failed \(failed) bytes \(bytes) seconds \(String(format: "%.3f", seconds)) pages_per_second \(String(format: "%.0f", Double(succeeded) / seconds))")
        if let firstError { print("fetch-bench: first error: \(firstError)") }
        if failed > 0 { throw ExitCode(1) }
    }
}

extension Duration {
    fileprivate var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
