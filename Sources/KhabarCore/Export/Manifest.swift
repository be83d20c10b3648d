public import Foundation

/// `_manifest.json` in the output directory: every finished file with its record count, size,
/// SHA-256 and time range. It is rebuilt from the ledger and replaced atomically after each
/// finished file (and at start), so a reader sees a complete old or a complete new list.
///
/// Its name does not end in `.jsonl`, so a `*.jsonl` glob over the directory never reads it.
public struct ExportManifest: Codable, Sendable, Equatable {
    public static let defaultFileName = "_manifest.json"
    public static let currentVersion = 1

    public struct File: Codable, Sendable, Equatable {
        public var name: String
        public var sequence: Int
        public var records: Int
        /// Size on disk in bytes (compressed size for `.jsonl.gz`).
        public var bytes: Int
        /// Lowercase hex SHA-256 of the file as stored: `sha256sum <name>` prints it.
        public var sha256: String
        /// Earliest and latest `fetched_at` among the file's records.
        public var firstFetchedAt: String?
        public var lastFetchedAt: String?
        public var finishedAt: String

        enum CodingKeys: String, CodingKey {
            case name, sequence, records, bytes, sha256
            case firstFetchedAt = "first_fetched_at"
            case lastFetchedAt = "last_fetched_at"
            case finishedAt = "finished_at"
        }

        public init(_ entry: ExportFileEntry) {
            name = entry.name
            sequence = entry.sequence
            records = entry.recordCount
            bytes = entry.byteCount
            sha256 = entry.sha256
            firstFetchedAt = entry.firstFetchedAt
            lastFetchedAt = entry.lastFetchedAt
            finishedAt = entry.finishedAt.ISO8601Format()
        }
    }

    public var manifestVersion: Int
    public var updatedAt: String
    public var files: [File]

    enum CodingKeys: String, CodingKey {
        case manifestVersion = "manifest_version"
        case updatedAt = "updated_at"
        case files
    }

    public init(files: [ExportFileEntry], updatedAt: Date) {
        manifestVersion = Self.currentVersion
        self.updatedAt = updatedAt.ISO8601Format()
        self.files = files.map(File.init)
    }

    public static func read(from url: URL) throws -> ExportManifest {
        try JSONDecoder().decode(ExportManifest.self, from: Data(contentsOf: url))
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
    }
}
