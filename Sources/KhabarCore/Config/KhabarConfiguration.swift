internal import Foundation

/// Everything `khabar run` and `khabar backfill` are told by their YAML configuration file.
///
/// Keys, types and defaults (`config/khabar.yaml` shows them all):
/// - `state` (string, default `./state`): directory of the embedded SQLite state, or a
///   `postgresql://user:password@host:port/database` URL of a state shared by several daemons.
/// - `instance` (string, default: host name and output directory): this daemon's name in a
///   shared PostgreSQL state's list of export files.
/// - `lease` (duration, default `30s`): with a shared state, how long the sources, host slots
///   and URLs a stopped daemon held stay its own before the others take them.
/// - `frontier_attempts` (int, default 3), `frontier_retry_delay` (duration, default `10s`):
///   with a shared state, how often a backfill URL whose fetch failed for now (timeout, 5xx,
///   429, paused host) is claimed again before it is marked failed, and the wait before the
///   first retry (doubling each time, at most 30 min).
/// - `output.directory` (string, default `./out`), `output.prefix` (string, default `khabar`),
///   `output.rotate_bytes` (size, default `64MiB`), `output.rotate_after` (duration, default `5m`),
///   `output.compression` (`none` | `gzip`, default `none`).
/// - `fetch.user_agent` (string), `fetch.per_host_concurrency` (int, default 2),
///   `fetch.min_delay` (duration, default `1s`), `fetch.global_concurrency` (int, default 32),
///   `fetch.timeout` (duration, default `30s`), `fetch.max_body_bytes` (size, default `10MiB`),
///   `fetch.allow_private` (bool, default false), `fetch.allowed_networks` (list of CIDRs).
/// - `pipeline.cleaners` (int, default: the number of cores), `pipeline.drain_timeout`
///   (duration, default `30s`).
/// - `dedup.policy` (`keep` | `drop`, default `keep`).
/// - `filters.min_words` (int, default 0), `filters.languages` (list, default: all).
/// - `normalize.learn_boilerplate` (bool, default true): drop lines that recur in many of a
///   source's articles; `normalize.boilerplate_min_documents` (int, default 20): how many.
/// - `normalize.repair_mojibake`, `map_presentation_forms`, `remove_tatweel` (display form),
///   `remove_diacritics`, `fold_alef`, `fold_alef_maksura`, `fold_taa_marbuta`, `fold_digits`,
///   `fold_persian_letters`, `lowercase` (folded form): bools, default true;
///   `normalize.punctuation` (`keep` | `unify` | `remove`, default `unify`): see
///   `NormalizationOptions`.
/// - `normalize.export_folded` (bool, default false): records carry `text_folded`.
/// - `http.listen` (`host:port`, default `127.0.0.1:9464`): `/metrics` and `/healthz`.
/// - `log.level` (`trace` … `critical`, default `info`).
/// - `sources` (list): `name`, one of `feed` / `sitemap` / `listing` (URL), `interval`
///   (duration, default `15m`), `lang`, `include` / `exclude` (URL patterns), `max_age`
///   (duration), `link_pattern` (listing pages), `per_host_concurrency`, `min_delay`.
public struct KhabarConfiguration: Sendable, Equatable {
    public struct Output: Sendable, Equatable {
        public var directory = "./out"
        public var prefix = "khabar"
        public var rotateBytes = 64 * 1024 * 1024
        public var rotateAfter: Duration = .seconds(300)
        public var compression = Compression.none

        public enum Compression: String, Sendable, Equatable { case none, gzip }
    }

    public struct Fetch: Sendable, Equatable {
        public var userAgent = "khabar/0.1 (+https://github.com/khabar-news/khabar)"
        public var perHostConcurrency = 2
        public var minDelay: Duration = .seconds(1)
        public var globalConcurrency = 32
        public var timeout: Duration = .seconds(30)
        public var maxBodyBytes = 10 * 1024 * 1024
        public var allowPrivate = false
        public var allowedNetworks: [String] = []
        /// Requests per URL for retryable failures (timeouts, resets, 429, 5xx).
        public var maxAttempts = 3
        /// The first retry's backoff; it doubles (with jitter) up to 30 s.
        public var retryDelay: Duration = .milliseconds(500)
        /// A longer Retry-After is waited only this long.
        public var maxRetryAfter: Duration = .seconds(60)
        /// How long a host is left alone after 5 failures in a row (its pages wait, at most 60 s).
        public var breakerPause: Duration = .seconds(30)
    }

    public struct Pipeline: Sendable, Equatable {
        public var cleaners = max(1, ProcessInfo.processInfo.activeProcessorCount)
        public var drainTimeout: Duration = .seconds(30)
    }

    public enum DuplicatePolicy: String, Sendable, Equatable { case keep, drop }

    public struct Filters: Sendable, Equatable {
        public var minWords = 0
        public var languages: [String] = []
    }

    public struct Normalize: Sendable, Equatable {
        /// Drop lines that recur across a source's articles (kept in the state store).
        public var learnBoilerplate = true
        /// A line is the source's boilerplate once in this many of its documents (and in 30 %).
        public var boilerplateMinDocuments = 20
        /// The rules of the display form (exported `text` and `title`) and of the folded form.
        public var options = NormalizationOptions.default
        /// Exported records carry `text_folded`, the folded form of `text`.
        public var exportFolded = false
    }

    public struct Source: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable { case feed, sitemap, listing }
        public var name: String
        public var kind: Kind
        public var url: String
        public var interval: Duration = .seconds(900)
        public var lang: String?
        public var include: [String] = []
        public var exclude: [String] = []
        public var maxAge: Duration?
        public var linkPattern: String?
        public var perHostConcurrency: Int?
        public var minDelay: Duration?
    }

    public var state = "./state"
    /// This daemon's name in a shared state's `export_files`; nil: `PostgresStateStore.defaultInstance`.
    public var instance: String?
    /// With a shared state: how long a stopped daemon's claims (sources, host slots, URLs)
    /// outlive its last heartbeat.
    public var lease: Duration = .seconds(30)
    /// With a shared state: fetch attempts of a URL (each a claim of its own) before the
    /// frontier marks it failed, when its fetch fails in a way a retry may mend.
    public var frontierAttempts = 3
    /// The wait before the frontier's first retry of such a URL; it doubles per attempt.
    public var frontierRetryDelay: Duration = .seconds(10)
    public var output = Output()
    public var fetch = Fetch()
    public var pipeline = Pipeline()
    public var duplicatePolicy = DuplicatePolicy.keep
    public var filters = Filters()
    public var normalize = Normalize()
    public var httpListen = "127.0.0.1:9464"
    public var logLevel = "info"
    public var sources: [Source] = []

    public init() {}
}

/// What is wrong with a configuration: every problem found, each with where it is.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var key: String
        public var message: String

        public var description: String {
            let location = line.map { "\(file):\($0)" } ?? file
            return key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
        }
    }

    public var problems: [Problem]

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
