import ArgumentParser
import Foundation
import KhabarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract the article and its metadata from saved HTML pages.",
        discussion: """
            Prints one JSON object per input file, one per line, in input order, with the keys \
            input, url, canonical_url, title, author, published_at, modified_at, site_name, \
            lang, dir, description, image, tags, text, word_count (null when unknown). A page \
            that cannot be read or has no article gets {"input": …, "error": …}; the exit \
            status is 1 when any page failed.
            """
    )

    @Option(help: "The pages' URL (for relative links and metadata).")
    var url: String?

    @Option(help: "The pages' charset, overriding what the pages declare.")
    var charset: String?

    @Flag(help: .hidden)
    var benchmarkBatch = false

    /// With `--benchmark-batch`: time libxml2's parse of the raw bytes only (text is "").
    @Flag(help: .hidden)
    var benchmarkParseOnly = false

    @Argument(help: "HTML files to read; '-' reads one page from standard input.")
    var files: [String] = []

    func validate() throws {
        if benchmarkParseOnly && !benchmarkBatch {
            throw ValidationError("--benchmark-parse-only needs --benchmark-batch.")
        }
        if files.isEmpty && !benchmarkBatch {
            throw ValidationError("Name at least one FILE, or '-' for standard input.")
        }
    }

    func run() throws {
        let extractor = ArticleExtractor()
        if benchmarkBatch {
            BenchmarkBatch.run(benchmarkParseOnly ? .parseOnly : .extract(extractor))
            return
        }
        var anyFailed = false
        var output = StandardOutput()
        var line = JSONLineWriter(capacity: 16 * 1024)
        for file in files {
            line.reset()
            do {
                let bytes = try readInput(file)
                switch extractor.extract(html: bytes, url: url, charset: charset) {
                case .success(let article):
                    ExtractRecord.write(input: file, article: article, to: &line)
                case .failure(let error):
                    ExtractRecord.write(input: file, error: error.description, to: &line)
                    anyFailed = true
                }
            } catch {
                ExtractRecord.write(input: file, error: "cannot read: \(error.localizedDescription)", to: &line)
                anyFailed = true
            }
            output.write(line.finish())
        }
        output.flush()
        if anyFailed { throw ExitCode(1) }
    }

    private func readInput(_ file: String) throws -> [UInt8] {
        if file == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }
}

/// One line of `khabar extract` output, keys in a fixed order, every key always present.
enum ExtractRecord {
    static let keys = [
        "input", "url", "canonical_url", "title", "author", "published_at", "modified_at",
        "site_name", "lang", "dir", "description", "image", "tags", "text", "word_count",
    ]

    static func write(input: String, article: ExtractedArticle, to line: inout JSONLineWriter) {
        line.field("input", input)
        line.field("url", article.url)
        line.field("canonical_url", article.canonicalURL)
        line.field("title", article.title)
        line.field("author", article.author)
        line.field("published_at", article.publishedAt)
        line.field("modified_at", article.modifiedAt)
        line.field("site_name", article.siteName)
        line.field("lang", article.lang)
        line.field("dir", article.dir)
        line.field("description", article.description)
        line.field("image", article.image)
        line.field("tags", article.tags)
        line.field("text", article.text)
        line.field("word_count", article.wordCount)
    }

    static func write(input: String, error: String, to line: inout JSONLineWriter) {
        line.field("input", input)
        line.field("error", error)
    }
}

/// Standard output through one buffer: whole lines are collected and handed to `write(2)` in
/// chunks of about 64 KiB (and on `flush()`), never piece by piece.
struct StandardOutput {
    private var buffer: [UInt8] = []
    private let threshold = 64 * 1024

    init() { buffer.reserveCapacity(threshold + 4096) }

    mutating func write(_ line: [UInt8]) {
        buffer.append(contentsOf: line)
        if buffer.count >= threshold { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = writeToStandardOutput(bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    // A closed pipe (e.g. `| head`): nothing more can be said; stop quietly.
                    exit(errno == EPIPE ? 0 : 1)
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

private func writeToStandardOutput(_ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(STDOUT_FILENO, bytes, count)
    #else
    return Darwin.write(STDOUT_FILENO, bytes, count)
    #endif
}
