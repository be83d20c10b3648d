import Foundation
import KhabarCore
import Testing

/// Precision and recall of duplicate flags over a stream of the five real stories, texts that
/// quote them, and republished copies of them.
@Suite struct DeduplicateEvaluationTests {
    struct Sample {
        let name: String
        let text: String
        /// The story it copies, nil for an article of its own.
        let copies: Int?
    }

    struct Score: CustomStringConvertible {
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var precision: Double { Double(truePositives) / Double(max(1, truePositives + falsePositives)) }
        var recall: Double { Double(truePositives) / Double(max(1, truePositives + falseNegatives)) }
        var description: String {
            "TP \(truePositives) FP \(falsePositives) FN \(falseNegatives), precision \(precision), recall \(recall)"
        }
    }

    static let originals = DedupFixtures.storyNumbers.map {
        Sample(name: "story-\($0)", text: DedupFixtures.story($0), copies: nil)
    }

    /// Same topic, shared sentences, different articles: another story with paragraphs of
    /// `quoted` in it, decided against a store holding `quoted` (not the quoting story itself).
    static let sameTopic: [(quoted: Int, sample: Sample)] = [(2, 0), (3, 0), (4, 1), (0, 1), (1, 3)].map { own, quoted in
        (quoted, Sample(name: "\(own)-quotes-\(quoted)", text: DedupFixtures.otherStoryQuoting(own, paragraphsOf: quoted), copies: nil))
    }

    /// Republished copies the issue describes: lightly edited.
    static let lightCopies = DedupFixtures.storyNumbers.flatMap { story in
        [
            Sample(name: "\(story)-exact", text: DedupFixtures.story(story), copies: story),
            Sample(name: "\(story)-respelled", text: DedupFixtures.respelled(DedupFixtures.story(story)), copies: story),
            Sample(name: "\(story)-intro-last", text: DedupFixtures.introAddedLastRemoved(story), copies: story),
            Sample(name: "\(story)-sentence-ads", text: DedupFixtures.sentenceAndFurnitureAdded(story), copies: story),
            Sample(name: "\(story)-reworded-60", text: DedupFixtures.reworded(story, every: 60), copies: story),
        ]
    }

    /// Heavier rewrites, to see where detection stops.
    static let heavyCopies = DedupFixtures.storyNumbers.flatMap { story in
        [
            Sample(name: "\(story)-reworded-30", text: DedupFixtures.reworded(story, every: 30), copies: story),
            Sample(name: "\(story)-reworded-15", text: DedupFixtures.reworded(story, every: 15), copies: story),
            Sample(name: "\(story)-first-70%", text: DedupFixtures.truncated(story, keeping: 0.7), copies: story),
            Sample(name: "\(story)-first-50%", text: DedupFixtures.truncated(story, keeping: 0.5), copies: story),
        ]
    }

    /// Runs the originals then `copies` through one deduplicator, and each same-topic article
    /// through its own deduplicator that has seen the story it quotes.
    func score(_ copies: [Sample]) async throws -> (Score, [String]) {
        var score = Score()
        var log: [String] = []
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        for sample in Self.originals + copies {
            try await check(sample, with: &deduplicator, into: &score, log: &log)
        }
        for (quoted, sample) in Self.sameTopic {
            var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
            try await check(Self.originals[quoted], with: &deduplicator, into: &score, log: &log)
            try await check(sample, with: &deduplicator, into: &score, log: &log)
        }
        return (score, log)
    }

    private func check(
        _ sample: Sample, with deduplicator: inout Deduplicator, into score: inout Score, log: inout [String]
    ) async throws {
        let decision = try await deduplicator.decide(
            recordID: sample.name, canonicalURL: "https://news.example/\(sample.name)", text: sample.text)
        let expected = sample.copies.map { "story-\($0)" }
        switch (decision.duplicateOf, expected) {
        case (let found?, let expected?) where found == expected: score.truePositives += 1
        case (let found?, let expected?):
            score.falsePositives += 1
            score.falseNegatives += 1
            log.append("\(sample.name): \(found), expected \(expected)")
        case (let found?, nil):
            score.falsePositives += 1
            log.append("\(sample.name): false duplicate of \(found)")
        case (nil, _?):
            score.falseNegatives += 1
            log.append("\(sample.name): missed")
        case (nil, nil): break
        }
        if case .nearDuplicate(_, let similarity) = decision.verdict {
            log.append("\(sample.name): near, estimated Jaccard \(similarity)")
        }
    }

    @Test func lightlyEditedCopiesAreAllFoundAndNothingElse() async throws {
        let (score, log) = try await score(Self.lightCopies)
        print("dedup evaluation, light copies: \(score)\n  " + log.joined(separator: "\n  "))
        #expect(score.falsePositives == 0)
        #expect(score.falseNegatives == 0)
        #expect(score.truePositives == Self.lightCopies.count)
    }

    @Test func heavyRewritesKeepPrecision() async throws {
        let (score, log) = try await score(Self.heavyCopies)
        print("dedup evaluation, heavy copies: \(score)\n  " + log.joined(separator: "\n  "))
        #expect(score.falsePositives == 0)
        // Found: every-30th-word rewording (4 of 5) and truncations to 70% and 50% (through
        // containment). Missed: every-15th-word rewording, which leaves Jaccard ≈ 0.5.
        #expect(score.recall >= 0.7)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["KHABAR_BENCH_DEDUP"] != nil))
    func fingerprintSpeed() async throws {
        // 5 KB texts: the stories cut or repeated to 5,000 UTF-8 bytes at a word boundary.
        let texts = DedupFixtures.storyNumbers.map { story -> String in
            var text = DedupFixtures.story(story)
            while text.utf8.count < 5_000 { text += "\n" + DedupFixtures.reworded(story, every: 7) }
            let cut = text.utf8.prefix(5_000).lastIndex(of: 0x20)!
            return String(text[..<cut])
        }
        let fingerprinter = TextFingerprinter()
        let rounds = 2_000
        var clock = ContinuousClock.now
        var checksum: UInt64 = 0
        for round in 0..<rounds {
            checksum &+= fingerprinter.fingerprint(of: texts[round % texts.count]).bandKeys[0]
        }
        let fingerprintSeconds = Self.seconds(since: clock)
        let folded = texts.map { DeduplicationFolding.standard($0) }
        clock = .now
        for round in 0..<rounds { checksum &+= UInt64(DeduplicationFolding.standard(texts[round % texts.count]).utf8.count) }
        let foldSeconds = Self.seconds(since: clock)

        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        let fingerprints = texts.map { fingerprinter.fingerprint(of: $0) }
        clock = .now
        for round in 0..<rounds {
            _ = try await deduplicator.decide(
                recordID: "\(round)", canonicalURL: "u\(round)", fingerprint: fingerprints[round % texts.count])
        }
        let decideSeconds = Self.seconds(since: clock)
        print(
            """
            dedup bench (\(rounds) docs of 5,000 bytes, \(folded.map(\.utf8.count)) folded bytes, checksum \(checksum)):
              fingerprint (fold + SHA-256 + 128 MinHash + bands): \(Int(Double(rounds) / fingerprintSeconds)) docs/s
              of which folding alone: \(Int(Double(rounds) / foldSeconds)) docs/s
              decide (in-memory store, exact duplicates after the first 5): \(Int(Double(rounds) / decideSeconds)) docs/s
            """)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
