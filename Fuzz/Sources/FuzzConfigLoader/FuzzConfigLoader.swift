import FuzzSupport
import KhabarCore

/// `KhabarConfiguration.parse(yaml:)` and `ConfigurationValues`: a configuration either loads
/// with every value in its documented range (sources named uniquely with http(s) URLs, counts
/// at least 1, sizes and durations not negative) or fails with at least one problem, each with
/// a message; the value parsers never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = Invariant.text(data, size)
    let firstLine = String(text.prefix { $0 != "\n" })
    if let duration = ConfigurationValues.duration(firstLine) {
        Invariant.check(duration >= .zero, "negative duration \(duration) from \(Invariant.debug(firstLine))")
    }
    if let bytes = ConfigurationValues.size(firstLine) {
        Invariant.check(bytes >= 0, "negative size \(bytes) from \(Invariant.debug(firstLine))")
    }

    let configuration: KhabarConfiguration
    do {
        configuration = try KhabarConfiguration.parse(yaml: text, file: "fuzz.yaml")
    } catch let error as ConfigurationError {
        Invariant.check(!error.problems.isEmpty, "a ConfigurationError without problems")
        for problem in error.problems {
            Invariant.check(!problem.message.isEmpty, "a problem without a message")
            Invariant.check(problem.file == "fuzz.yaml", "a problem naming file \(problem.file)")
        }
        return 0
    } catch {
        Invariant.fail("parse threw \(type(of: error)), not ConfigurationError: \(error)")
    }
    Invariant.check(configuration.fetch.perHostConcurrency >= 1, "fetch.per_host_concurrency \(configuration.fetch.perHostConcurrency)")
    Invariant.check(configuration.fetch.globalConcurrency >= 1, "fetch.global_concurrency \(configuration.fetch.globalConcurrency)")
    Invariant.check(configuration.pipeline.cleaners >= 1, "pipeline.cleaners \(configuration.pipeline.cleaners)")
    Invariant.check(configuration.output.rotateBytes >= 0 && configuration.fetch.maxBodyBytes >= 0, "negative size")
    for duration in [configuration.output.rotateAfter, configuration.fetch.minDelay, configuration.fetch.timeout, configuration.pipeline.drainTimeout] {
        Invariant.check(duration >= .zero, "negative duration \(duration)")
    }
    Invariant.check(configuration.filters.minWords >= 0, "filters.min_words \(configuration.filters.minWords)")
    Invariant.check(["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(configuration.logLevel), "log.level \(configuration.logLevel)")
    var names = Set<String>()
    for source in configuration.sources {
        Invariant.check(!source.name.isEmpty, "a source without a name")
        Invariant.check(names.insert(source.name).inserted, "two sources named \(Invariant.debug(source.name))")
        Invariant.checkWebURL(source.url, "source \(source.name)")
        Invariant.check(source.interval >= .zero, "negative interval")
        if let delay = source.minDelay { Invariant.check(delay >= .zero, "negative min_delay") }
        if let age = source.maxAge { Invariant.check(age >= .zero, "negative max_age") }
        if let limit = source.perHostConcurrency { Invariant.check(limit >= 1, "per_host_concurrency \(limit)") }
        if source.kind == .listing { Invariant.check(source.linkPattern != nil, "a listing source without link_pattern") }
    }
    return 0
}
