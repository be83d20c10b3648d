import ArgumentParser

@main
struct Khabar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khabar",
        abstract: "Turns Arabic news websites into clean, deduplicated JSONL.",
        // One per line, so that commands added on different branches merge cleanly.
        subcommands: [
            ExtractCommand.self,
            CleanCommand.self,
            ValidateCommand.self,
            FetchBenchCommand.self,
            NormalizeBenchCommand.self,
        ]
    )
}
