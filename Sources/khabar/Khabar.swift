import ArgumentParser
import Foundation
import KhabarCore
import Logging

@main
struct Khabar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khabar",
        abstract: "Turns Arabic news websites into clean, deduplicated JSONL.",
        // One per line, so that commands added on different branches merge cleanly.
        subcommands: [
            ExtractCommand.self,
            CleanCommand.self,
            BackfillCommand.self,
            RunCommand.self,
            ValidateCommand.self,
            StatusCommand.self,
            FetchBenchCommand.self,
            NormalizeBenchCommand.self,
        ]
    )

    static func main() async {
        MemoryTuning.configure()
        // Logs go to standard error: journald-friendly under systemd, timestamped on a terminal.
        if let level = ProcessInfo.processInfo.environment["KHABAR_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) {
            LogSettings.level = level
        }
        LoggingSystem.bootstrap { ConsoleLogHandler(label: $0) }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
