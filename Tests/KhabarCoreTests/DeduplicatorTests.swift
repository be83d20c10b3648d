import Foundation
import KhabarCore
import Testing

@Suite struct DeduplicatorTests {
    private func url(_ name: String) -> String { "https://news.example/\(name)" }

    private func decide(
        _ deduplicator: inout Deduplicator, _ name: String, _ text: String
    ) async throws -> DeduplicationDecision {
        try await deduplicator.decide(recordID: "id-\(name)", canonicalURL: url(name), text: text)
    }

    @Test func exactCopyAtAnotherURLIsKeptAndFlagged() async throws {
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        let first = try await decide(&deduplicator, "a", DedupFixtures.story(0))
        let copy = try await decide(&deduplicator, "b", DedupFixtures.story(0))
        #expect(first.verdict == .original)
        #expect(first.shouldExport && first.duplicateOf == nil)
        #expect(copy.verdict == .exactDuplicate(of: "id-a"))
        #expect(copy.shouldExport)
        #expect(copy.duplicateOf == "id-a")
        #expect(copy.contentHash == first.contentHash)
    }

    @Test func dropPolicyDoesNotExportDuplicates() async throws {
        var deduplicator = Deduplicator(
            store: InMemoryDeduplicationStore(), configuration: .init(policy: .drop))
        let first = try await decide(&deduplicator, "a", DedupFixtures.story(0))
        let exact = try await decide(&deduplicator, "b", DedupFixtures.story(0))
        let near = try await decide(&deduplicator, "c", DedupFixtures.introAddedLastRemoved(0))
        let other = try await decide(&deduplicator, "d", DedupFixtures.story(1))
        #expect(first.shouldExport && other.shouldExport)
        #expect(!exact.shouldExport && exact.duplicateOf == "id-a")
        #expect(!near.shouldExport && near.duplicateOf == "id-a")
    }

    @Test(arguments: DedupFixtures.storyNumbers)
    func respelledCopyFoldsToTheSameHash(story: Int) async throws {
        let original = DedupFixtures.story(story)
        let respelled = DedupFixtures.respelled(original)
        #expect(respelled != original)
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        let first = try await decide(&deduplicator, "a", original)
        let copy = try await decide(&deduplicator, "b", respelled)
        #expect(copy.contentHash == first.contentHash)
        #expect(copy.verdict == .exactDuplicate(of: "id-a"))
    }

    @Test func contentHashIsSHA256OfFoldedWords() {
        let fingerprinter = TextFingerprinter()
        // Folding: hamza forms to alef, taa marbuta to haa, punctuation and spacing dropped.
        let hash = fingerprinter.contentHash(of: "  أعلنت   الحكومة، اليوم! ")
        #expect(hash == fingerprinter.contentHash(of: "اعلنت الحكومه اليوم"))
        // sha256 of the UTF-8 bytes of "اعلنت الحكومه اليوم", computed independently.
        #expect(hash == "deb4e0b6475f2a3c27362ae74fc0004947b3e0588ef746e8a721445429e925ef")
        #expect(hash != fingerprinter.contentHash(of: "اعلنت الحكومه امس"))
    }

    @Test(arguments: DedupFixtures.storyNumbers)
    func copyWithNewIntroAndWithoutLastParagraphIsNearDuplicate(story: Int) async throws {
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        _ = try await decide(&deduplicator, "a", DedupFixtures.story(story))
        let copy = try await decide(&deduplicator, "b", DedupFixtures.introAddedLastRemoved(story))
        guard case .nearDuplicate(let root, let similarity) = copy.verdict else {
            Issue.record("expected a near duplicate, got \(copy.verdict)")
            return
        }
        #expect(root == "id-a")
        // Story 2 loses 107 of its 386 words: Jaccard ≈ 0.66, found through containment.
        #expect(similarity >= 0.5)
        #expect(copy.duplicateOf == "id-a")
    }

    @Test func storiesOnOneTopicSharingSentencesAreNotDuplicates() async throws {
        // 000 and 001 republish some of the same agency sentences; 002 quoting 000 shares two
        // paragraphs with it.
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        let first = try await decide(&deduplicator, "a", DedupFixtures.story(0))
        let agencyShared = try await decide(&deduplicator, "b", DedupFixtures.story(1))
        let quoting = try await decide(&deduplicator, "c", DedupFixtures.otherStoryQuoting(2, paragraphsOf: 0))
        #expect(first.verdict == .original)
        #expect(agencyShared.verdict == .original)
        #expect(quoting.verdict == .original)
    }

    @Test func containmentRuleNeedsBothContainmentAndJaccardFloor() {
        let configuration = DeduplicationConfiguration()
        #expect(configuration.isNearDuplicate(jaccard: 0.7, shingleCounts: (300, 300)))
        // Shared ≈ 0.6 · 700 / 1.6 = 262 shingles: 88% of the shorter text, 75% of equal ones.
        #expect(configuration.isNearDuplicate(jaccard: 0.6, shingleCounts: (300, 400)))
        #expect(!configuration.isNearDuplicate(jaccard: 0.6, shingleCounts: (350, 350)))
        // A brief quoted whole in a long analysis: contained, but Jaccard 0.3.
        #expect(!configuration.isNearDuplicate(jaccard: 0.3, shingleCounts: (100, 330)))
    }

    @Test func shortTextsAreOnlyDedupedExactly() async throws {
        let fingerprinter = TextFingerprinter()
        let short = "عاجل: الرئيس الروسي يصل إلى بيونغ يانغ في أول زيارة منذ أربعة وعشرين عاما"
        #expect(fingerprinter.fingerprint(of: short).signature == nil)
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        let first = try await decide(&deduplicator, "a", short)
        let sameFolded = try await decide(&deduplicator, "b", "عاجل - الرئيس الروسى يصل الى بيونغ يانغ في اول زيارة منذ اربعة وعشرين عاماً")
        let oneWordChanged = try await decide(&deduplicator, "c", short.replacingOccurrences(of: "أول", with: "ثاني"))
        #expect(first.verdict == .original)
        #expect(sameFolded.verdict == .exactDuplicate(of: "id-a"))
        #expect(oneWordChanged.verdict == .original)
    }

    @Test func textsWithoutWordsNeverMatchEachOther() async throws {
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        let first = try await decide(&deduplicator, "a", "")
        let second = try await decide(&deduplicator, "b", " … ")
        #expect(first.verdict == .original)
        #expect(second.verdict == .original)
    }

    @Test func seenCanonicalURLIsSkipped() async throws {
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        _ = try await decide(&deduplicator, "a", DedupFixtures.story(0))
        #expect(try await deduplicator.recordID(forCanonicalURL: url("a")) == "id-a")
        #expect(try await deduplicator.recordID(forCanonicalURL: url("z")) == nil)
        let again = try await decide(&deduplicator, "a", DedupFixtures.story(3))
        #expect(again.verdict == .seenURL(recordID: "id-a"))
        #expect(!again.shouldExport)
        // The skipped sighting was not recorded: story 3 is still new elsewhere.
        let story3 = try await decide(&deduplicator, "b", DedupFixtures.story(3))
        #expect(story3.verdict == .original)
    }

    @Test func duplicatesPointAtTheFirstRecordOfTheirGroup() async throws {
        var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
        _ = try await decide(&deduplicator, "a", DedupFixtures.story(4))
        let near = try await decide(&deduplicator, "b", DedupFixtures.introAddedLastRemoved(4))
        let copyOfNear = try await decide(&deduplicator, "c", DedupFixtures.introAddedLastRemoved(4))
        #expect(near.duplicateOf == "id-a")
        #expect(copyOfNear.verdict == .exactDuplicate(of: "id-a"))
    }

    @Test func fingerprintsSurviveARestartThroughTheStore() async throws {
        let store = InMemoryDeduplicationStore()
        var before = Deduplicator(store: store)
        for story in DedupFixtures.storyNumbers {
            _ = try await decide(&before, "story-\(story)", DedupFixtures.story(story))
        }
        let batch = before.sealPending()
        #expect(batch.records.count == 5)
        await store.commit(batch)
        before.markCommitted(batch)
        #expect(await store.count == 5)

        // A new process: nothing pending, everything from the store.
        var after = Deduplicator(store: store)
        let exact = try await decide(&after, "x", DedupFixtures.respelled(DedupFixtures.story(2)))
        let near = try await decide(&after, "y", DedupFixtures.introAddedLastRemoved(3))
        let seen = try await decide(&after, "story-1", "نص آخر")
        #expect(exact.verdict == .exactDuplicate(of: "id-story-2"))
        #expect(near.duplicateOf == "id-story-3")
        #expect(seen.verdict == .seenURL(recordID: "id-story-1"))
    }

    @Test func signatureBytesRoundTrip() throws {
        let signature = try #require(TextFingerprinter().fingerprint(of: DedupFixtures.story(0)).signature)
        #expect(signature.values.count == 128)
        #expect(MinHashSignature(littleEndianBytes: signature.littleEndianBytes) == signature)
        #expect(MinHashSignature(littleEndianBytes: [1, 2, 3]) == nil)
    }

    @Test func discardedPendingFingerprintsAreForgotten() async throws {
        let store = InMemoryDeduplicationStore()
        var deduplicator = Deduplicator(store: store)
        _ = try await decide(&deduplicator, "a", DedupFixtures.story(0))
        let abandoned = deduplicator.sealPending()
        // Decided against the pending (uncommitted) batch.
        let copy = try await decide(&deduplicator, "b", DedupFixtures.story(0))
        #expect(copy.verdict == .exactDuplicate(of: "id-a"))

        let forgotten = deduplicator.discard(abandoned)
        #expect(forgotten.map { $0.records.map(\.recordID) } == [["id-a"], ["id-b"]])
        #expect(await store.count == 0)
        #expect(try await deduplicator.recordID(forCanonicalURL: url("a")) == nil)
        let nextSighting = try await decide(&deduplicator, "c", DedupFixtures.introAddedLastRemoved(0))
        #expect(nextSighting.verdict == .original)
        let sameURLAgain = try await decide(&deduplicator, "a", DedupFixtures.story(0))
        #expect(sameURLAgain.verdict == .nearDuplicate(of: "id-c", similarity: sameURLAgain.similarity))
    }

    @Test func committedBatchLeavesMemoryButStaysVisible() async throws {
        let store = InMemoryDeduplicationStore()
        var deduplicator = Deduplicator(store: store)
        _ = try await decide(&deduplicator, "a", DedupFixtures.story(1))
        let batch = deduplicator.sealPending()
        await store.commit(batch)
        deduplicator.markCommitted(batch)
        #expect(deduplicator.discard(batch).isEmpty)
        let copy = try await decide(&deduplicator, "b", DedupFixtures.story(1))
        #expect(copy.verdict == .exactDuplicate(of: "id-a"))
    }

    @Test func sameInputOrderGivesSameDecisions() async throws {
        let texts = DedupFixtures.storyNumbers.flatMap { story in
            [DedupFixtures.story(story), DedupFixtures.introAddedLastRemoved(story), DedupFixtures.reworded(story, every: 60)]
        }
        func run() async throws -> [DeduplicationDecision] {
            var deduplicator = Deduplicator(store: InMemoryDeduplicationStore())
            var decisions: [DeduplicationDecision] = []
            for (index, text) in texts.enumerated() {
                decisions.append(try await decide(&deduplicator, "\(index)", text))
            }
            return decisions
        }
        let first = try await run()
        #expect(try await run() == first)
        #expect(first.filter { $0.duplicateOf != nil }.count == 10)
    }
}

extension DeduplicationDecision {
    var similarity: Double {
        if case .nearDuplicate(_, let similarity) = verdict { return similarity }
        return 0
    }
}
