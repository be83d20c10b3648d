import ArgumentParser
import Foundation
import KhabarCore
import Logging

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the daemons sharing a PostgreSQL state: who is alive, what they hold, the frontier, hosts and exports."
    )

    @Option(help: "The shared state: a postgresql:// URL.")
    var state: String

    func run() throws {
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: state)
        } catch {
            printToStandardError("khabar status: \(error)")
            throw ExitCode(exitCodeConfigurationError)
        }
        let store = try PostgresStateStore(location: location, instance: "status", connections: 1, logger: Logger(label: "khabar.status"))
        print(try ClusterStatus.read(store).report)
    }
}
