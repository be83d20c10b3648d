import ArgumentParser
import Foundation
import KhabarCore

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Clean scraped article text (no HTML): drop furniture lines, read byline and date lines.",
        discussion: """
            --format text: each FILE is one document; prints {"input", "title", "author", \
            "site_name", "published_at", "lang", "text", "quality"} per file. \
            --format jsonl: each line of each FILE is a record; its "text" (and "title") are \
            cleaned, its other fields kept in order, and "author", "site_name", "published_at" \
            filled when the record has none and the text states them; "lang" and "quality" are \
            set. With --source, all documents of the run are first read to learn lines that \
            recur across the source's documents, then cleaned without them. Records below \
            --min-words or outside --lang are left out (counted on standard error). With \
            --folded, "text_folded" (the folded form of "text": diacritics removed; alef, alef \
            maksura, taa marbuta, digits and Persian letters folded; punctuation unified; \
            lower-cased) follows "text". A record that cannot be read gets {"input": …, \
            "error": …} and the exit status is 1.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, jsonl
    }

    @Option(help: "Input format: text (a file is a document) or jsonl (a line is a record).")
    var format: Format = .text

    @Option(help: "Source (site) name: documents of this run share learned boilerplate.")
    var source: String?

    @Option(help: "Leave out records with fewer words than this after cleaning.")
    var minWords: Int?

    @Option(help: "Keep only records in these languages (comma-separated ISO 639-1 codes).")
    var lang: String?

    @Flag(help: "Add \"text_folded\", the folded form of \"text\" (for matching), after \"text\".")
    var folded = false

    /// Prints each line's role to standard error (text format), to see which rule took a line.
    @Flag(help: .hidden)
    var explain = false

    @Argument(help: "Files to read; '-' reads standard input.")
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one FILE, or '-' for standard input.") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' can be given once.") }
        if let minWords, minWords < 0 { throw ValidationError("--min-words must be at least 0.") }
    }

    func run() throws {
        let languages = lang.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }) }
        let memory: InMemoryBoilerplateMemory? = source == nil ? nil : InMemoryBoilerplateMemory()
        let pipeline = TextCleanerPipeline(
            filter: CleanFilter(minimumWords: minWords, allowedLanguages: languages),
            memory: memory,
            source: source,
            exportFolded: folded
        )
        var output = StandardOutput()
        var anyFailed = false
        var dropped = 0
        // Standard input can be read once; keep it for the second pass.
        var standardInput: [UInt8]?
        func read(_ file: String) throws -> [UInt8] {
            if file == "-" {
                if standardInput == nil { standardInput = Array(FileHandle.standardInput.readDataToEndOfFile()) }
                return standardInput!
            }
            return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        }

        if source != nil {
            for file in files {
                guard let bytes = try? read(file) else { continue }
                switch format {
                case .text: pipeline.learn(text: String(decoding: bytes, as: UTF8.self))
                case .jsonl: for record in Self.lines(of: bytes) { pipeline.learn(jsonLine: record.bytes) }
                }
            }
        }

        for file in files {
            let bytes: [UInt8]
            do {
                bytes = try read(file)
            } catch {
                output.write(Self.errorLine(input: file, error: "cannot read: \(error.localizedDescription)"))
                anyFailed = true
                continue
            }
            if explain && format == .text {
                let cleaned = TextCleaner().clean(String(decoding: bytes, as: UTF8.self), memory: memory, source: source)
                let roles = cleaned.lines.map { "\($0.role.rawValue)\t\($0.line.prefix(100))\n" }.joined()
                FileHandle.standardError.write(Data("== \(file)\n\(roles)".utf8))
            }
            let outcomes: [(line: Int?, outcome: TextCleanerPipeline.Outcome)] = switch format {
            case .text: [(nil, pipeline.clean(text: String(decoding: bytes, as: UTF8.self), input: file))]
            case .jsonl: Self.lines(of: bytes).map { ($0.number, pipeline.clean(jsonLine: $0.bytes)) }
            }
            for (lineNumber, outcome) in outcomes {
                switch outcome {
                case .record(let line): output.write(line)
                case .dropped: dropped += 1
                case .failed(let reason):
                    output.write(Self.errorLine(input: file, line: lineNumber, error: reason))
                    anyFailed = true
                }
            }
        }
        output.flush()
        if dropped > 0 { FileHandle.standardError.write(Data("khabar clean: \(dropped) record(s) left out by --min-words/--lang\n".utf8)) }
        if anyFailed { throw ExitCode(1) }
    }

    /// Non-blank lines of a JSONL file, with their 1-based line numbers.
    private static func lines(of bytes: [UInt8]) -> [(number: Int, bytes: ArraySlice<UInt8>)] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.contains { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 } }
            .map { ($0.offset + 1, $0.element) }
    }

    private static func errorLine(input: String, line lineNumber: Int? = nil, error: String) -> [UInt8] {
        var line = JSONLineWriter()
        line.field("input", input)
        if let lineNumber { line.field("line", lineNumber) }
        line.field("error", error)
        return line.finish()
    }
}
