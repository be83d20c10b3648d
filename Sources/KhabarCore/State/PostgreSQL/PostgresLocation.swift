internal import Foundation

/// Where a PostgreSQL state lives: a `postgresql://user:password@host:port/database` URL, as
/// libpq writes it. `sslmode` (`disable`, `prefer`, `require`) is the only query option read.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .disable) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Whether a `state` setting names a PostgreSQL database rather than a directory.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Parses a `postgresql://` (or `postgres://`) URL; the error says what is wrong with it.
    public init(url text: String) throws(PostgresLocationError) {
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw PostgresLocationError(url: text, reason: "not a postgresql:// URL")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresLocationError(url: text, reason: "no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresLocationError(url: text, reason: "no user name") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.host = host
        port = components.port ?? 5432
        username = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        database = path.isEmpty ? username : (path.removingPercentEncoding ?? path)
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        // libpq's `allow` and `verify-*` are folded into the nearest mode supported here.
        switch mode {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        default: throw PostgresLocationError(url: text, reason: "unknown sslmode '\(mode)'")
        }
    }

    /// The URL without its password, for logs.
    public var description: String {
        "postgresql://\(username)@\(host):\(port)/\(database)"
    }
}

public struct PostgresLocationError: Error, CustomStringConvertible, Sendable, Equatable {
    public var url: String
    public var reason: String

    public var description: String {
        // Never echo a password.
        let shown = (try? PostgresLocation(url: url))?.description ?? url.replacingOccurrences(of: #":[^:@/]*@"#, with: ":…@", options: .regularExpression)
        return "state \(shown): \(reason)"
    }
}
