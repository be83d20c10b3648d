/// An IPv4 or IPv6 network in CIDR notation ("10.0.0.0/8", "fc00::/7", or a bare address).
struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    /// 4 or 16 bytes.
    let address: [UInt8]
    let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = IPAddressText.parse(String(parts[0])) else { return nil }
        let maxPrefix = bytes.count * 8
        var prefix = maxPrefix
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maxPrefix).contains(value) else { return nil }
            prefix = value
        }
        self.init(bytes: bytes, prefixLength: prefix)
    }

    init(bytes: [UInt8], prefixLength: Int) {
        self.address = bytes
        self.prefixLength = prefixLength
    }

    func contains(_ candidate: [UInt8]) -> Bool {
        guard candidate.count == address.count else { return false }
        var remaining = prefixLength
        var index = 0
        while remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if candidate[index] & mask != address[index] & mask { return false }
            remaining -= bits
            index += 1
        }
        return true
    }

    var description: String { "\(IPAddressText.format(address))/\(prefixLength)" }
}

/// The SSRF guard's decision for one address: internal networks are refused unless allowed.
struct AddressGuard: Sendable {
    /// Networks that never belong to a public web server.
    static let internalNetworks: [IPNetwork] = [
        "0.0.0.0/8",          // "this network", including the unspecified 0.0.0.0
        "10.0.0.0/8",         // RFC 1918
        "100.64.0.0/10",      // CGNAT shared space
        "127.0.0.0/8",        // loopback
        "169.254.0.0/16",     // link-local, including cloud metadata 169.254.169.254
        "172.16.0.0/12",      // RFC 1918
        "192.0.0.0/24",       // IETF protocol assignments
        "192.168.0.0/16",     // RFC 1918
        "198.18.0.0/15",      // benchmarking
        "224.0.0.0/4",        // multicast
        "240.0.0.0/4",        // reserved, including broadcast
        "::/128",             // unspecified
        "::1/128",            // loopback
        "fc00::/7",           // unique local
        "fe80::/10",          // link-local
        "fec0::/10",          // deprecated site-local
        "ff00::/8",           // multicast
    ].map { IPNetwork($0)! }

    let enabled: Bool
    let allowed: [IPNetwork]

    /// Whether the fetcher may connect to `address` (4 or 16 bytes).
    func permits(_ address: [UInt8]) -> Bool {
        guard enabled else { return true }
        if allowed.contains(where: { $0.contains(address) }) { return true }
        if let embedded = Self.embeddedIPv4(address) {
            // ::ffff:127.0.0.1 and friends reach the IPv4 host: judge that host.
            return permits(embedded)
        }
        return !Self.internalNetworks.contains { $0.contains(address) }
    }

    /// The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96, not ::
    /// or ::1), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) IPv6 address.
    static func embeddedIPv4(_ address: [UInt8]) -> [UInt8]? {
        guard address.count == 16 else { return nil }
        let head = address[0..<10]
        if head.allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return Array(address[12..<16])
        }
        if address[0..<12].allSatisfy({ $0 == 0 }) {
            let tail = Array(address[12..<16])
            // :: and ::1 are IPv6's own unspecified and loopback addresses.
            if tail == [0, 0, 0, 0] || tail == [0, 0, 0, 1] { return nil }
            return tail
        }
        if address[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {
            return Array(address[12..<16])
        }
        if address[0] == 0x20 && address[1] == 0x02 {
            return Array(address[2..<6])
        }
        return nil
    }
}

/// Text forms of IP addresses, parsed and printed without the C library (so the guard's
/// tests need no sockets).
enum IPAddressText {
    static func parse(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        if text.contains(":") { return parseIPv6(text) }
        return parseIPv4(text)
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var embeddedV4: [UInt8]?
        let pieces = text.splitAtDoubleColons()
        guard pieces.count <= 2 else { return nil }
        sawGap = pieces.count == 2
        for (pieceIndex, piece) in pieces.enumerated() {
            if piece.isEmpty { continue }
            let groups = piece.split(separator: ":", omittingEmptySubsequences: false)
            for (index, group) in groups.enumerated() {
                let isLast = pieceIndex == pieces.count - 1 && index == groups.count - 1
                if isLast, group.contains(".") {
                    guard let v4 = parseIPv4(group) else { return nil }
                    embeddedV4 = v4
                    continue
                }
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                if pieceIndex == 0 { head.append(value) } else { tail.append(value) }
            }
        }
        let v4Groups = embeddedV4 == nil ? 0 : 2
        let used = head.count + tail.count + v4Groups
        if sawGap { guard used < 8 else { return nil } } else { guard used == 8 else { return nil } }
        let groups = head + Array(repeating: 0, count: 8 - used) + tail
        var bytes: [UInt8] = []
        for group in groups { bytes.append(UInt8(group >> 8)); bytes.append(UInt8(group & 0xFF)) }
        if let embeddedV4 { bytes += embeddedV4 }
        return bytes
    }

    static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for index in stride(from: 0, to: bytes.count, by: 2) {
            groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }
}

extension Substring {
    /// Splits at the first "::" (an IPv6 gap); a second "::" yields three pieces, which callers refuse.
    func splitAtDoubleColons() -> [Substring] {
        var pieces: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":" && next < endIndex && self[next] == ":" {
                pieces.append(self[start..<index])
                start = self.index(after: next)
                index = start
                continue
            }
            index = next
        }
        pieces.append(self[start..<endIndex])
        return pieces
    }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}
