internal import Foundation
public import Logging

/// The state a run uses, opened from the `state` setting: a directory (the embedded SQLite
/// store, locked to this process) or a `postgresql://` URL (shared by every daemon naming it).
public struct OpenedState: Sendable {
    public let store: any StateStore & DeduplicationStore
    /// Held for as long as the run lasts: on the state directory, or with a shared database on
    /// the output directory (one daemon per output directory and instance name).
    let lock: StateLock

    public static func open(_ configuration: KhabarConfiguration, logger: Logger) throws -> OpenedState {
        if PostgresLocation.isPostgresURL(configuration.state) {
            let location = try PostgresLocation(url: configuration.state)
            let instance = configuration.instance ?? PostgresStateStore.defaultInstance(outputDirectory: configuration.output.directory)
            logger.info("state: shared PostgreSQL", metadata: ["location": "\(location)", "instance": "\(instance)"])
            let lock = try StateLock(directory: URL(fileURLWithPath: configuration.output.directory))
            return OpenedState(store: try PostgresStateStore(location: location, instance: instance, logger: logger), lock: lock)
        }
        let directory = URL(fileURLWithPath: configuration.state)
        let lock = try StateLock(directory: directory)
        return OpenedState(store: try SQLiteStateStore(directory: directory), lock: lock)
    }
}
