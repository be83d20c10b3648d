public import Hummingbird
public import Prometheus
internal import Logging
internal import Metrics

/// The operations endpoint: `/metrics` in Prometheus text format and `/healthz`.
///
/// It listens on `http.listen` (loopback by default); it is a `Service`, so it starts and stops
/// with the daemon's service group.
public enum OperationsServer {
    /// Builds the HTTP application.
    /// - Parameters:
    ///   - host, port: where to listen (`port` 0 picks a free one; `onServerRunning` tells which).
    ///   - isHealthy: whether `/healthz` answers 200 (else 503).
    public static func make(
        host: String, port: Int, registry: PrometheusCollectorRegistry,
        isHealthy: @escaping @Sendable () -> Bool,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("/healthz") { _, _ -> Response in
            let healthy = isHealthy()
            return Response(
                status: healthy ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: healthy ? "ok\n" : "unhealthy\n")))
        }
        var logger = Logger(label: "khabar.http")
        logger.logLevel = .warning
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "khabar"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Splits `host:port` (IPv6 hosts in brackets).
    public static func hostAndPort(_ listen: String) -> (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}

extension OperationsServer {
    /// Sends every swift-metrics metric of the process to a Prometheus registry. Once per
    /// process, before any metric is created.
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
