import ArgumentParser
import Foundation
import KhabarCore
import Logging

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Run the pipeline to completion over feeds, sitemaps, URL lists or WARC files.",
        discussion: """
            Exits 0 when every discovered item was exported, skipped as already exported, or \
            failed with a recorded reason; non-zero when the run itself failed (78 for a bad \
            configuration). A resumed backfill does not redo finished work.
            """
    )

    @Option(help: "The YAML configuration file (defaults apply without one).")
    var config: String?
    @Option(help: "Only these configured sources (repeatable); default: all sources of --config when no other input is given.")
    var source: [String] = []
    @Option(help: "An RSS/Atom/JSON feed URL (repeatable).")
    var feed: [String] = []
    @Option(help: "A sitemap or sitemap index URL (repeatable).")
    var sitemap: [String] = []
    @Option(help: "A file of URLs, one per line (repeatable).")
    var urls: [String] = []
    @Option(help: "A WARC or WARC.gz file (repeatable).")
    var warc: [String] = []
    @Option(help: "Skip sitemap entries dated before this day (YYYY-MM-DD).")
    var since: String?
    @Option(help: "Skip sitemap entries dated on or after this day (YYYY-MM-DD).")
    var until: String?
    @Option(help: "Output directory (overrides the configuration).")
    var out: String?
    @Option(help: "State directory (created when missing), or a postgresql:// URL of a state shared with other khabar processes (overrides the configuration).")
    var state: String?
    @Option(help: "This process's name in a shared PostgreSQL state (default: host name and output directory).")
    var instance: String?
    @Option(help: "With a shared PostgreSQL state: seconds after its last heartbeat that a stopped process's claims go to the others (default 30).")
    var lease: Double?
    @Flag(help: "Allow loopback and private addresses (for testing against a local site).")
    var allowPrivate = false
    @Option(help: "Requests in flight per host (for a site you own).")
    var perHostConcurrency: Int?
    @Option(help: "Seconds between two requests to one host (for a site you own).")
    var minDelay: Double?

    func run() async throws {
        var configuration = KhabarConfiguration()
        if let config {
            do {
                configuration = try KhabarConfiguration.load(contentsOf: config)
            } catch let error as ConfigurationError {
                printToStandardError(error.description)
                throw ExitCode(exitCodeConfigurationError)
            }
        }
        if let out { configuration.output.directory = out }
        if let state { configuration.state = state }
        if let instance { configuration.instance = instance }
        if let lease {
            guard lease >= 1 else { throw ValidationError("--lease takes at least 1 second") }
            configuration.lease = .milliseconds(Int64(lease * 1000))
        }
        try exitIfStateIsInvalid(configuration, command: "backfill")

        var inputs = BackfillInputs()
        inputs.feeds = feed
        inputs.sitemaps = sitemap
        inputs.urlFiles = urls
        inputs.warcFiles = warc
        inputs.since = try since.map { try Self.day($0, option: "--since") }
        inputs.until = try until.map { try Self.day($0, option: "--until") }
        let wanted = Set(source)
        let unknown = wanted.subtracting(configuration.sources.map(\.name))
        guard unknown.isEmpty else { throw ValidationError("no source named \(unknown.sorted().joined(separator: ", ")) in the configuration") }
        if !wanted.isEmpty || inputs.isEmpty {
            for configured in configuration.sources where wanted.isEmpty || wanted.contains(configured.name) {
                switch configured.kind {
                case .feed: inputs.feeds.append(configured.url)
                case .sitemap: inputs.sitemaps.append(configured.url)
                case .listing: printToStandardError("skipping listing source \(configured.name): listing pages are read by `khabar run`")
                }
            }
        }
        guard !inputs.isEmpty else { throw ValidationError("nothing to backfill: give --feed, --sitemap, --urls, --warc or a --config with sources") }

        var settings = BackfillRun.Settings(configuration: configuration, inputs: inputs)
        settings.allowPrivate = allowPrivate
        settings.perHostConcurrency = perHostConcurrency
        settings.minDelay = minDelay.map { .milliseconds(Int64($0 * 1000)) }

        let logger = Logger(label: "khabar.backfill")
        let progress = ProgressReporter(interactive: isatty(STDERR_FILENO) == 1, logger: logger)
        let report: BackfillRun.Report
        do {
            report = try await BackfillRun.run(settings, logger: logger, progressInterval: progress.interval) { progress.update($0) }
        } catch let error as StateLockError {
            printToStandardError("khabar backfill: \(error)")
            throw ExitCode(75)  // EX_TEMPFAIL: try again when the other process is done
        }
        progress.finish(report.counts)
        if let statements = report.sharedStateStatements {
            let handled = max(1, report.counts[.discovered])
            printToStandardError("shared state: \(statements) statements, \(String(format: "%.1f", Double(statements) / Double(handled))) per item handled")
        }
        for problem in report.discoveryProblems.prefix(20) { printToStandardError("problem: \(problem)") }
        if report.discoveryProblems.count > 20 { printToStandardError("… and \(report.discoveryProblems.count - 20) more problems") }
        for failure in report.failures.prefix(20) { printToStandardError("failed: \(failure)") }
        let failed = report.counts[.fetchFailed] + report.counts[.cleanFailed]
        if failed > 20 { printToStandardError("… and \(failed - 20) more failed articles") }
    }

    static func day(_ text: String, option: String) throws -> Date {
        guard let date = NewsDateParser.parse(text), date.hour == nil,
              let day = Calendar(identifier: .gregorian).date(from: DateComponents(timeZone: TimeZone(secondsFromGMT: 0), year: date.year, month: date.month, day: date.day))
        else { throw ValidationError("\(option) takes a day as YYYY-MM-DD, got \"\(text)\"") }
        return day
    }
}

/// A live progress line on a terminal; a log line every 10 seconds otherwise.
final class ProgressReporter: Sendable {
    let interactive: Bool
    let logger: Logger
    let started = ContinuousClock.now
    var interval: Duration { interactive ? .milliseconds(500) : .seconds(10) }

    init(interactive: Bool, logger: Logger) {
        self.interactive = interactive
        self.logger = logger
    }

    func update(_ counts: PipelineCounters.Snapshot) {
        let line = Self.describe(counts, elapsed: ContinuousClock.now - started)
        if interactive {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            logger.info("\(line)")
        }
    }

    func finish(_ counts: PipelineCounters.Snapshot) {
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        printToStandardError("done: " + Self.describe(counts, elapsed: ContinuousClock.now - started))
    }

    static func describe(_ counts: PipelineCounters.Snapshot, elapsed: Duration) -> String {
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        let handled = counts[.exported] + counts[.sameCanonicalURL] + counts[.unchanged] + counts[.skipped] + counts[.fetchFailed] + counts[.cleanFailed] + counts[.filtered] + counts[.duplicatesDropped]
        let rate = Double(handled) / seconds
        let remaining = counts[.discovered] - handled
        let eta = rate > 0 && remaining > 0 ? String(format: ", ETA %.0fs", Double(remaining) / rate) : ""
        return "discovered \(counts[.discovered]), fetched \(counts[.fetched]), exported \(counts[.exported]), "
            + "already done \(counts[.unchanged] + counts[.sameCanonicalURL]), duplicates \(counts[.duplicatesFlagged] + counts[.duplicatesDropped]), "
            + "failed \(counts[.fetchFailed] + counts[.cleanFailed]), skipped \(counts[.skipped] + counts[.filtered]), "
            + String(format: "%.1f/s", rate) + eta
    }
}
