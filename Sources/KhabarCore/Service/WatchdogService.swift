public import ServiceLifecycle

/// Pings systemd's watchdog at half the interval it asked for (sd_watchdog_enabled(3)), but only
/// while the pipeline makes progress or has nothing to do: a stuck pipeline stops the pings and
/// systemd restarts the process.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration
    let isHealthy: @Sendable () -> Bool

    public init(notifier: SystemdNotifier, interval: Duration, isHealthy: @escaping @Sendable () -> Bool) {
        self.notifier = notifier
        self.interval = interval
        self.isHealthy = isHealthy
    }

    public func run() async throws {
        // Keeps pinging through a graceful shutdown: the drain is watched too.
        while !Task.isCancelled {
            if isHealthy() { notifier.watchdog() }
            try? await Task.sleep(for: interval / 2)
        }
    }
}
