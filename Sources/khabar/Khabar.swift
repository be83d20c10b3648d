import ArgumentParser

@main
struct Khabar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khabar",
        abstract: "Turns Arabic news websites into clean, deduplicated JSONL.",
        subcommands: [ExtractCommand.self, NormalizeBenchCommand.self]
    )
}
