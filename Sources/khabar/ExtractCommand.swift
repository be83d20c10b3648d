import ArgumentParser
import Foundation
import KhabarCore

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract the article and its metadata from saved HTML pages.",
        discussion: """
            Prints one JSON object per input file, one per line, in input order. A page that \
            cannot be read or has no article gets a record with an "error" field; the exit \
            status is 1 when any page failed.
            """
    )

    @Option(help: "The pages' URL (for relative links and metadata).")
    var url: String?

    @Option(help: "The pages' charset, overriding what the pages declare.")
    var charset: String?

    @Flag(help: .hidden)
    var benchmarkBatch = false

    @Argument(help: "HTML files to read; '-' reads one page from standard input.")
    var files: [String] = []

    func validate() throws {
        if files.isEmpty && !benchmarkBatch {
            throw ValidationError("Name at least one FILE, or '-' for standard input.")
        }
    }

    func run() throws {
        let extractor = ArticleExtractor()
        if benchmarkBatch {
            BenchmarkBatch.run(extractor: extractor)
            return
        }
        var anyFailed = false
        var output = StandardOutput()
        for file in files {
            let record: ExtractRecord
            do {
                let bytes = try readInput(file)
                switch extractor.extract(html: bytes, url: url, charset: charset) {
                case .success(let article):
                    record = ExtractRecord(input: file, article: article, error: nil)
                case .failure(let error):
                    record = ExtractRecord(input: file, article: nil, error: error.description)
                    anyFailed = true
                }
            } catch {
                record = ExtractRecord(input: file, article: nil, error: "cannot read: \(error.localizedDescription)")
                anyFailed = true
            }
            output.writeLine(record.jsonLine())
        }
        if anyFailed { throw ExitCode(1) }
    }

    private func readInput(_ file: String) throws -> [UInt8] {
        if file == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }
}

/// One line of `khabar extract` output: the input's name, then the article or the error.
struct ExtractRecord: Encodable {
    var input: String
    var article: ExtractedArticle?
    var error: String?

    enum CodingKeys: String, CodingKey { case input, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        if let article {
            try article.encode(to: encoder)
        } else {
            try container.encode(error, forKey: .error)
        }
    }

    func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data(#"{"error":"cannot encode record"}"#.utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Buffered standard output; lines are written whole.
struct StandardOutput {
    mutating func writeLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
