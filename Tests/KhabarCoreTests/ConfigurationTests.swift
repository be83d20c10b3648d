import Foundation
import Testing
@testable import KhabarCore

@Suite struct ConfigurationTests {
    @Test func emptyFileMeansDefaults() throws {
        let configuration = try KhabarConfiguration.parse(yaml: "", file: "empty.yaml")
        #expect(configuration == KhabarConfiguration())
        #expect(configuration.fetch.perHostConcurrency == 2)
        #expect(configuration.duplicatePolicy == .keep)
    }

    @Test func readsEveryKind() throws {
        let yaml = """
            state: /var/lib/khabar
            frontier_attempts: 5
            frontier_retry_delay: 1m
            output: {directory: /srv/out, rotate_bytes: 1MiB, rotate_after: 90s, compression: gzip}
            fetch: {per_host_concurrency: 4, min_delay: 250ms, allow_private: yes, allowed_networks: [127.0.0.0/8]}
            dedup: {policy: drop}
            filters: {min_words: 50, languages: [ar, en]}
            sources:
              - {name: a, feed: "https://example.com/feed.xml", interval: 1h30m, max_age: 7d}
              - {name: b, listing: "https://example.com/news/", link_pattern: "/news/*"}
            """
        let configuration = try KhabarConfiguration.parse(yaml: yaml, file: "k.yaml")
        #expect(configuration.state == "/var/lib/khabar")
        #expect(configuration.frontierAttempts == 5 && configuration.frontierRetryDelay == .seconds(60))
        #expect(configuration.output.rotateBytes == 1 << 20)
        #expect(configuration.output.rotateAfter == .seconds(90))
        #expect(configuration.output.compression == .gzip)
        #expect(configuration.fetch.minDelay == .milliseconds(250))
        #expect(configuration.fetch.allowPrivate)
        #expect(configuration.duplicatePolicy == .drop)
        #expect(configuration.filters.languages == ["ar", "en"])
        #expect(configuration.sources.map(\.name) == ["a", "b"])
        #expect(configuration.sources[0].interval == .seconds(5400))
        #expect(configuration.sources[0].maxAge == .seconds(7 * 86400))
        #expect(configuration.sources[1].kind == .listing)
    }

    @Test func errorsNameTheFileLineAndKey() {
        let yaml = """
            fetch:
              per_host_concurrency: zero
              timeout: soon
            colour: blue
            sources:
              - name: a
              - name: a
                feed: ftp://example.com/feed
            """
        do {
            _ = try KhabarConfiguration.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("a bad configuration was accepted")
        } catch let error as ConfigurationError {
            let text = error.description
            #expect(text.contains("bad.yaml:2: fetch.per_host_concurrency: expected a whole number"))
            #expect(text.contains("bad.yaml:3: fetch.timeout: expected a duration"))
            #expect(text.contains("bad.yaml:4: colour: unknown key"))
            #expect(text.contains("sources[0]: source \"a\" needs one of feed, sitemap or listing"))
            #expect(text.contains("sources[1].feed: expected an http(s) URL"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func brokenYAMLIsAConfigurationError() {
        #expect(throws: ConfigurationError.self) {
            _ = try KhabarConfiguration.parse(yaml: "sources: [unclosed", file: "broken.yaml")
        }
    }

    @Test(arguments: [("500ms", 500), ("30s", 30_000), ("15m", 900_000), ("1h30m", 5_400_000), ("2d", 172_800_000), ("45", 45_000)])
    func durations(text: String, milliseconds: Int64) {
        #expect(ConfigurationValues.duration(text) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["", "m", "10 minutes", "-5s", "1x"])
    func badDurations(text: String) {
        #expect(ConfigurationValues.duration(text) == nil)
    }

    @Test(arguments: [("65536", 65536), ("512KiB", 524_288), ("64MiB", 67_108_864), ("10MB", 10_000_000), ("1GB", 1_000_000_000)])
    func sizes(text: String, bytes: Int) {
        #expect(ConfigurationValues.size(text) == bytes)
    }

    @Test func readsNormalizationOptions() throws {
        let yaml = """
            normalize:
              learn_boilerplate: false
              export_folded: true
              repair_mojibake: no
              map_presentation_forms: false
              remove_tatweel: false
              remove_diacritics: false
              fold_alef: false
              fold_alef_maksura: false
              fold_taa_marbuta: false
              fold_digits: false
              fold_persian_letters: false
              punctuation: remove
              lowercase: false
            """
        let normalize = try KhabarConfiguration.parse(yaml: yaml, file: "n.yaml").normalize
        #expect(!normalize.learnBoilerplate)
        #expect(normalize.exportFolded)
        #expect(normalize.options == NormalizationOptions(
            repairMojibake: false, mapPresentationForms: false, removeTatweel: false, removeDiacritics: false,
            foldAlef: false, foldAlefMaksura: false, foldTaaMarbuta: false, foldDigits: false,
            foldPersianLetters: false, punctuation: .remove, lowercase: false))
    }

    @Test func normalizationKeysLeftOutKeepTheirDefaults() throws {
        let normalize = try KhabarConfiguration.parse(yaml: "normalize: {fold_digits: false, punctuation: KEEP}", file: "n.yaml").normalize
        var expected = NormalizationOptions.default
        expected.foldDigits = false
        expected.punctuation = .keep
        #expect(normalize.options == expected)
        #expect(!normalize.exportFolded)
        #expect(KhabarConfiguration().normalize.options == .default)
    }

    @Test func badNormalizationValuesAreNamed() {
        let yaml = """
            normalize:
              punctuation: squash
              remove_tatweel: sometimes
              fold_hamza: true
              export_folded: [yes]
            """
        do {
            _ = try KhabarConfiguration.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("a bad normalize section was accepted")
        } catch let error as ConfigurationError {
            let text = error.description
            #expect(text.contains("bad.yaml:2: normalize.punctuation: expected one of keep, unify, remove, got \"squash\""))
            #expect(text.contains("bad.yaml:3: normalize.remove_tatweel: expected true or false, got \"sometimes\""))
            #expect(text.contains("bad.yaml:4: normalize.fold_hamza: unknown key"))
            #expect(text.contains("bad.yaml:5: normalize.export_folded: expected a single value"))
            #expect(error.problems.count == 4)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    /// The commented keys under `normalize:` in config/khabar.yaml, uncommented, are the defaults.
    @Test func theShippedNormalizationCommentsAreTheDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/khabar.yaml").path
        let shipped = try String(contentsOfFile: path, encoding: .utf8)
        let lines = shipped.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "normalize:"))
        var section = ["normalize:"]
        var uncommented = 0
        for line in lines[(start + 1)...] {
            guard line.hasPrefix("  ") else { break }
            let body = line.dropFirst(2)
            if body.hasPrefix("# "), let key = body.dropFirst(2).split(separator: ":").first, !key.contains(" ") {
                section.append("  " + body.dropFirst(2))
                uncommented += 1
            } else if !body.hasPrefix("#") {
                section.append(String(line))
            }
        }
        #expect(uncommented == 11)
        let normalize = try KhabarConfiguration.parse(yaml: section.joined(separator: "\n"), file: path).normalize
        #expect(normalize == KhabarConfiguration.Normalize())
    }

    @Test func theShippedConfigurationIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/khabar.yaml").path
        let configuration = try KhabarConfiguration.load(contentsOf: path)
        #expect(configuration.sources.count >= 5)
        #expect(configuration.sources.allSatisfy { $0.lang == "ar" })
    }
}
