internal import Foundation
internal import Yams

extension KhabarConfiguration {
    /// Reads and validates a YAML configuration file.
    /// - Throws: `ConfigurationError` listing every problem with its file, line and key.
    public static func load(contentsOf path: String) throws -> KhabarConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(problems: [.init(file: path, line: nil, key: "", message: "cannot read: \(error.localizedDescription)")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses and validates YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws -> KhabarConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigurationError(problems: [.init(file: file, line: error.line, key: "", message: "not valid YAML: \(error)")])
        } catch {
            throw ConfigurationError(problems: [.init(file: file, line: nil, key: "", message: "not valid YAML: \(error)")])
        }
        var reader = ConfigurationReader(file: file)
        let configuration = reader.read(root)
        if !reader.problems.isEmpty { throw ConfigurationError(problems: reader.problems) }
        return configuration
    }
}

private extension YamlError {
    var line: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

/// Walks the YAML node tree, collecting every problem instead of stopping at the first.
private struct ConfigurationReader {
    let file: String
    var problems: [ConfigurationError.Problem] = []

    init(file: String) {
        self.file = file
    }

    mutating func problem(_ node: Node?, _ key: String, _ message: String) {
        problems.append(.init(file: file, line: node?.mark?.line, key: key, message: message))
    }

    mutating func read(_ root: Node?) -> KhabarConfiguration {
        var configuration = KhabarConfiguration()
        guard let root else { return configuration }  // an empty file means all defaults
        guard let top = mapping(root, "") else { return configuration }
        for (key, value) in top {
            switch key {
            case "state":
                guard let state = string(value, "state") else { break }
                if PostgresLocation.isPostgresURL(state) {
                    do throws(PostgresLocationError) {
                        _ = try PostgresLocation(url: state)
                    } catch {
                        problem(value, "state", error.reason)
                    }
                }
                configuration.state = state
            case "instance": string(value, "instance").map { configuration.instance = $0 }
            case "lease":
                if let lease = duration(value, "lease") {
                    if lease < .seconds(1) { problem(value, "lease", "must be at least 1s") } else { configuration.lease = lease }
                }
            case "frontier_attempts": integer(value, "frontier_attempts", minimum: 1).map { configuration.frontierAttempts = $0 }
            case "frontier_retry_delay": duration(value, "frontier_retry_delay").map { configuration.frontierRetryDelay = $0 }
            case "output": readOutput(value, into: &configuration.output)
            case "fetch": readFetch(value, into: &configuration.fetch)
            case "pipeline": readPipeline(value, into: &configuration.pipeline)
            case "dedup":
                for (dedupKey, dedupValue) in mapping(value, "dedup") ?? [] {
                    switch dedupKey {
                    case "policy": choice(dedupValue, "dedup.policy", KhabarConfiguration.DuplicatePolicy.self).map { configuration.duplicatePolicy = $0 }
                    default: unknown(dedupValue, "dedup.\(dedupKey)")
                    }
                }
            case "filters":
                for (filterKey, filterValue) in mapping(value, "filters") ?? [] {
                    switch filterKey {
                    case "min_words": integer(filterValue, "filters.min_words", minimum: 0).map { configuration.filters.minWords = $0 }
                    case "languages": strings(filterValue, "filters.languages").map { configuration.filters.languages = $0 }
                    default: unknown(filterValue, "filters.\(filterKey)")
                    }
                }
            case "normalize": readNormalize(value, into: &configuration.normalize)
            case "http":
                for (httpKey, httpValue) in mapping(value, "http") ?? [] {
                    switch httpKey {
                    case "listen":
                        if let listen = string(httpValue, "http.listen") {
                            if Self.isHostPort(listen) { configuration.httpListen = listen } else { problem(httpValue, "http.listen", "expected host:port, got \"\(listen)\"") }
                        }
                    default: unknown(httpValue, "http.\(httpKey)")
                    }
                }
            case "log":
                for (logKey, logValue) in mapping(value, "log") ?? [] {
                    switch logKey {
                    case "level":
                        if let level = string(logValue, "log.level") {
                            if Self.logLevels.contains(level) { configuration.logLevel = level } else { problem(logValue, "log.level", "expected one of \(Self.logLevels.joined(separator: ", ")), got \"\(level)\"") }
                        }
                    default: unknown(logValue, "log.\(logKey)")
                    }
                }
            case "sources": configuration.sources = readSources(value)
            default: unknown(value, key)
            }
        }
        return configuration
    }

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    mutating func readOutput(_ node: Node, into output: inout KhabarConfiguration.Output) {
        for (key, value) in mapping(node, "output") ?? [] {
            let path = "output.\(key)"
            switch key {
            case "directory": string(value, path).map { output.directory = $0 }
            case "prefix":
                if let prefix = string(value, path) {
                    if !prefix.isEmpty, prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) { output.prefix = prefix } else { problem(value, path, "use letters, digits, - and _ only") }
                }
            case "rotate_bytes": size(value, path).map { output.rotateBytes = $0 }
            case "rotate_after": duration(value, path).map { output.rotateAfter = $0 }
            case "compression": choice(value, path, KhabarConfiguration.Output.Compression.self).map { output.compression = $0 }
            default: unknown(value, path)
            }
        }
    }

    mutating func readFetch(_ node: Node, into fetch: inout KhabarConfiguration.Fetch) {
        for (key, value) in mapping(node, "fetch") ?? [] {
            let path = "fetch.\(key)"
            switch key {
            case "user_agent": string(value, path).map { fetch.userAgent = $0 }
            case "per_host_concurrency": integer(value, path, minimum: 1).map { fetch.perHostConcurrency = $0 }
            case "min_delay": duration(value, path).map { fetch.minDelay = $0 }
            case "global_concurrency": integer(value, path, minimum: 1).map { fetch.globalConcurrency = $0 }
            case "timeout": duration(value, path).map { fetch.timeout = $0 }
            case "max_body_bytes": size(value, path).map { fetch.maxBodyBytes = $0 }
            case "allow_private": boolean(value, path).map { fetch.allowPrivate = $0 }
            case "allowed_networks": strings(value, path).map { fetch.allowedNetworks = $0 }
            case "max_attempts": integer(value, path, minimum: 1).map { fetch.maxAttempts = $0 }
            case "retry_delay": duration(value, path).map { fetch.retryDelay = $0 }
            case "max_retry_after": duration(value, path).map { fetch.maxRetryAfter = $0 }
            case "breaker_pause": duration(value, path).map { fetch.breakerPause = $0 }
            default: unknown(value, path)
            }
        }
    }

    mutating func readPipeline(_ node: Node, into pipeline: inout KhabarConfiguration.Pipeline) {
        for (key, value) in mapping(node, "pipeline") ?? [] {
            let path = "pipeline.\(key)"
            switch key {
            case "cleaners": integer(value, path, minimum: 1).map { pipeline.cleaners = $0 }
            case "drain_timeout": duration(value, path).map { pipeline.drainTimeout = $0 }
            default: unknown(value, path)
            }
        }
    }

    /// The option flags by their config key: one table for reading and for the unknown-key check.
    static let normalizationFlags: [String: any WritableKeyPath<NormalizationOptions, Bool> & Sendable] = [
        "repair_mojibake": \.repairMojibake,
        "map_presentation_forms": \.mapPresentationForms,
        "remove_tatweel": \.removeTatweel,
        "remove_diacritics": \.removeDiacritics,
        "fold_alef": \.foldAlef,
        "fold_alef_maksura": \.foldAlefMaksura,
        "fold_taa_marbuta": \.foldTaaMarbuta,
        "fold_digits": \.foldDigits,
        "fold_persian_letters": \.foldPersianLetters,
        "lowercase": \.lowercase,
    ]

    mutating func readNormalize(_ node: Node, into normalize: inout KhabarConfiguration.Normalize) {
        for (key, value) in mapping(node, "normalize") ?? [] {
            let path = "normalize.\(key)"
            switch key {
            case "learn_boilerplate": boolean(value, path).map { normalize.learnBoilerplate = $0 }
            case "boilerplate_min_documents": integer(value, path, minimum: 2).map { normalize.boilerplateMinDocuments = $0 }
            case "export_folded": boolean(value, path).map { normalize.exportFolded = $0 }
            case "punctuation": choice(value, path, NormalizationOptions.Punctuation.self).map { normalize.options.punctuation = $0 }
            default:
                if let flag = Self.normalizationFlags[key] {
                    boolean(value, path).map { normalize.options[keyPath: flag] = $0 }
                } else {
                    unknown(value, path)
                }
            }
        }
    }

    mutating func readSources(_ node: Node) -> [KhabarConfiguration.Source] {
        guard case .sequence(let sequence) = node else {
            problem(node, "sources", "expected a list of sources")
            return []
        }
        var sources: [KhabarConfiguration.Source] = []
        var names: Set<String> = []
        for (position, item) in sequence.enumerated() {
            let path = "sources[\(position)]"
            guard let fields = mapping(item, path) else { continue }
            var name: String?
            var kinds: [(KhabarConfiguration.Source.Kind, String)] = []
            var source = KhabarConfiguration.Source(name: "", kind: .feed, url: "")
            for (key, value) in fields {
                let keyPath = "\(path).\(key)"
                switch key {
                case "name": name = string(value, keyPath)
                case "feed", "sitemap", "listing":
                    if let url = string(value, keyPath) {
                        if Self.isHTTPURL(url) { kinds.append((KhabarConfiguration.Source.Kind(rawValue: key)!, url)) } else { problem(value, keyPath, "expected an http(s) URL, got \"\(url)\"") }
                    }
                case "interval": duration(value, keyPath).map { source.interval = $0 }
                case "lang": string(value, keyPath).map { source.lang = $0 }
                case "include": strings(value, keyPath).map { source.include = $0 }
                case "exclude": strings(value, keyPath).map { source.exclude = $0 }
                case "max_age": duration(value, keyPath).map { source.maxAge = $0 }
                case "link_pattern": string(value, keyPath).map { source.linkPattern = $0 }
                case "per_host_concurrency": integer(value, keyPath, minimum: 1).map { source.perHostConcurrency = $0 }
                case "min_delay": duration(value, keyPath).map { source.minDelay = $0 }
                default: unknown(value, keyPath)
                }
            }
            guard let name, !name.isEmpty else {
                problem(item, "\(path).name", "every source needs a name")
                continue
            }
            guard names.insert(name).inserted else {
                problem(item, "\(path).name", "another source is already named \"\(name)\"")
                continue
            }
            guard kinds.count == 1 else {
                problem(item, path, kinds.isEmpty ? "source \"\(name)\" needs one of feed, sitemap or listing" : "source \"\(name)\" has more than one of feed, sitemap and listing")
                continue
            }
            if kinds[0].0 == .listing && source.linkPattern == nil {
                problem(item, path, "listing source \"\(name)\" needs a link_pattern")
                continue
            }
            source.name = name
            source.kind = kinds[0].0
            source.url = kinds[0].1
            sources.append(source)
        }
        return sources
    }

    // MARK: Typed values

    mutating func mapping(_ node: Node, _ path: String) -> [(String, Node)]? {
        guard case .mapping(let mapping) = node else {
            problem(node, path, "expected a mapping of keys to values")
            return nil
        }
        var pairs: [(String, Node)] = []
        var seen: Set<String> = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                problem(key, path, "keys must be plain strings")
                continue
            }
            let fullPath = path.isEmpty ? scalar.string : "\(path).\(scalar.string)"
            if !seen.insert(scalar.string).inserted {
                problem(key, fullPath, "given twice")
                continue
            }
            pairs.append((scalar.string, value))
        }
        return pairs
    }

    mutating func unknown(_ node: Node, _ path: String) {
        problem(node, path, "unknown key")
    }

    mutating func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            problem(node, path, "expected a single value")
            return nil
        }
        return scalar.string
    }

    mutating func integer(_ node: Node, _ path: String, minimum: Int) -> Int? {
        guard let text = string(node, path) else { return nil }
        guard let value = Int(text), value >= minimum else {
            problem(node, path, "expected a whole number of at least \(minimum), got \"\(text)\"")
            return nil
        }
        return value
    }

    mutating func boolean(_ node: Node, _ path: String) -> Bool? {
        guard let text = string(node, path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem(node, path, "expected true or false, got \"\(text)\"")
            return nil
        }
    }

    mutating func strings(_ node: Node, _ path: String) -> [String]? {
        switch node {
        case .scalar(let scalar): return [scalar.string]
        case .sequence(let sequence):
            var values: [String] = []
            for item in sequence {
                if let value = string(item, path) { values.append(value) }
            }
            return values
        default:
            problem(node, path, "expected a value or a list of values")
            return nil
        }
    }

    mutating func choice<Choice: RawRepresentable>(_ node: Node, _ path: String, _ type: Choice.Type) -> Choice? where Choice.RawValue == String {
        guard let text = string(node, path) else { return nil }
        guard let value = Choice(rawValue: text.lowercased()) else {
            problem(node, path, "unexpected value \"\(text)\"")
            return nil
        }
        return value
    }

    /// A choice whose values can be listed: the message names them.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _ type: Choice.Type) -> Choice? where Choice.RawValue == String {
        guard let text = string(node, path) else { return nil }
        guard let value = Choice(rawValue: text.lowercased()) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            problem(node, path, "expected one of \(allowed), got \"\(text)\"")
            return nil
        }
        return value
    }

    mutating func duration(_ node: Node, _ path: String) -> Duration? {
        guard let text = string(node, path) else { return nil }
        guard let value = ConfigurationValues.duration(text) else {
            problem(node, path, "expected a duration such as 500ms, 30s, 15m, 2h or 7d, got \"\(text)\"")
            return nil
        }
        return value
    }

    mutating func size(_ node: Node, _ path: String) -> Int? {
        guard let text = string(node, path) else { return nil }
        guard let value = ConfigurationValues.size(text) else {
            problem(node, path, "expected a size such as 65536, 512KiB, 64MiB or 1GB, got \"\(text)\"")
            return nil
        }
        return value
    }

    static func isHTTPURL(_ text: String) -> Bool {
        // Foundation's parser takes spaces (and encodes them); a source URL is written without.
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) }) else { return false }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else { return false }
        return scheme == "http" || scheme == "https"
    }

    static func isHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return false }
        return (0...65535).contains(port) && colon > text.startIndex
    }
}

/// Parsers for the value syntaxes config files use.
public enum ConfigurationValues {
    /// "500ms", "30s", "15m", "2h", "7d", combinations like "1h30m", or a bare number of seconds.
    /// Nil for anything else, and for durations too long to count in milliseconds (Int64).
    public static func duration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        // Digits and one decimal point only: `Double` alone would take "inf", "1e300", "0x1p9"
        // and stop at an embedded NUL, and an out-of-range value trapped in `Int64(_:)`.
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }),
           trimmed.utf8.count(where: { $0 == 0x2E }) <= 1 {
            guard let seconds = Double(trimmed), seconds.isFinite, seconds * 1000 < 9.2e18 else { return nil }
            return .milliseconds(Int64(seconds * 1000))
        }
        var total: Int64 = 0
        var number = ""
        var unit = ""
        var parsedAny = false
        func flush() -> Bool {
            guard let value = Int64(number) else { return false }
            let milliseconds: Int64
            switch unit {
            case "ms": milliseconds = 1
            case "s": milliseconds = 1000
            case "m": milliseconds = 60_000
            case "h": milliseconds = 3_600_000
            case "d": milliseconds = 86_400_000
            default: return false
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: milliseconds)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return false }
            total = sum
            number = ""
            unit = ""
            parsedAny = true
            return true
        }
        for character in trimmed {
            if character.isASCII && character.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isASCII && character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard !number.isEmpty, flush(), parsedAny else { return nil }
        return .milliseconds(total)
    }

    /// "65536", "512KiB", "64MiB", "1GiB", "10MB", "1GB".
    public static func size(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard let value = Int(digits), value >= 0 else { return nil }
        let multipliers: [String: Int] = [
            "": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000,
            "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30,
        ]
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard let multiplier = multipliers[unit] else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
