public import Logging
public import Foundation
#if canImport(Glibc)
internal import Glibc
#endif

/// Logs to standard error: with `<N>` priority prefixes and no timestamp when standard error
/// is journald's stream (systemd sets `$JOURNAL_STREAM` to its device:inode), with a timestamp
/// otherwise. Metadata follows the message as `key=value` pairs.
/// The process-wide log level, read by every `ConsoleLogHandler` that was not given its own:
/// the configuration file sets it after logging was bootstrapped.
public enum LogSettings {
    private static let current = LockedValue(Logger.Level.info)
    public static var level: Logger.Level {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

public struct ConsoleLogHandler: LogHandler, Sendable {
    public var metadata: Logger.Metadata = [:]
    private var ownLevel: Logger.Level?
    public var logLevel: Logger.Level {
        get { ownLevel ?? LogSettings.level }
        set { ownLevel = newValue }
    }
    private let label: String
    private let underJournald: Bool

    public init(label: String, level: Logger.Level? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.label = label
        self.ownLevel = level
        self.underJournald = Self.standardErrorIsJournal(environment["JOURNAL_STREAM"])
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = underJournald ? "<\(Self.priority(event.level))>" : "\(Self.timestamp()) \(event.level.rawValue.uppercased()) "
        line += event.message.description
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(Self.quoted("\(value)"))"
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// sd-daemon(3) priorities.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }

    static func standardErrorIsJournal(_ journalStream: String?) -> Bool {
        guard let journalStream else { return false }
        let parts = journalStream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}
