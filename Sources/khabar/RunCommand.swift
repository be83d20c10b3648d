import ArgumentParser
import Foundation
import KhabarCore
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Watch the configured sources and export their articles as JSONL, until SIGTERM.",
        discussion: """
            SIGTERM/SIGINT: stop discovery, drain what is in flight, finish and fsync the open \
            file, exit 0. SIGHUP: reload the configuration's sources (an invalid file is logged \
            and the running configuration kept). Exits 78 (EX_CONFIG) on a bad configuration, \
            75 when another khabar holds the state directory.
            """
    )

    @Option(help: "The YAML configuration file.")
    var config: String = "config/khabar.yaml"
    @Option(help: "State directory, or a postgresql:// URL of a state shared with other khabar daemons (overrides the configuration).")
    var state: String?
    @Option(help: "This daemon's name in a shared PostgreSQL state (default: host name and output directory).")
    var instance: String?
    @Option(help: "Output directory (overrides the configuration).")
    var out: String?

    func run() async throws {
        var configuration: KhabarConfiguration
        do {
            configuration = try KhabarConfiguration.load(contentsOf: config)
        } catch let error as ConfigurationError {
            printToStandardError(error.description)
            throw ExitCode(exitCodeConfigurationError)
        }
        if let state { configuration.state = state }
        if let instance { configuration.instance = instance }
        try exitIfStateIsInvalid(configuration, command: "run")
        if let out { configuration.output.directory = out }
        LogSettings.level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        var options = Daemon.Options(configurationPath: config, configuration: configuration, registry: OperationsServer.bootstrapMetrics())
        options.onListening = { port in Logger(label: "khabar.http").info("metrics and health on port \(port)") }
        do {
            try await Daemon.run(options, logger: Logger(label: "khabar"))
        } catch let error as StateLockError {
            printToStandardError("khabar run: \(error)")
            throw ExitCode(75)
        } catch let error as ConfigurationError {
            printToStandardError(error.description)
            throw ExitCode(exitCodeConfigurationError)
        }
    }
}
