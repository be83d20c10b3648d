import ArgumentParser
import Foundation
import KhabarCore

/// `EX_CONFIG` from sysexits.h: systemd's `RestartPreventExitStatus=78` stops restart loops on
/// a broken configuration.
let exitCodeConfigurationError: Int32 = 78

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a configuration file; exit 0 when valid, 78 (EX_CONFIG) when not."
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String = "config/khabar.yaml"

    func run() throws {
        do {
            let configuration = try KhabarConfiguration.load(contentsOf: config)
            print("\(config): valid, \(configuration.sources.count) source(s)")
        } catch let error as ConfigurationError {
            printToStandardError(error.description)
            throw ExitCode(exitCodeConfigurationError)
        }
    }
}

/// A `--state` given on the command line skips the configuration loader's check of a
/// `postgresql://` URL: the same check, with the same exit status.
func exitIfStateIsInvalid(_ configuration: KhabarConfiguration, command: String) throws {
    guard PostgresLocation.isPostgresURL(configuration.state) else { return }
    do throws(PostgresLocationError) {
        _ = try PostgresLocation(url: configuration.state)
    } catch {
        printToStandardError("khabar \(command): \(error)")
        throw ExitCode(exitCodeConfigurationError)
    }
}

func printToStandardError(_ text: String) {
    var standardError = StandardErrorStream()
    print(text, to: &standardError)
}

struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
