// swift-tools-version:6.1
import PackageDescription

// Settings every Swift target shares: Swift 6 language mode plus the upcoming features the
// model codebases (swift-log, Hummingbird, swift-configuration) enable.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "khabar",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "khabar", targets: ["khabar"]),
        .library(name: "KhabarCore", targets: ["KhabarCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "KhabarCore",
            dependencies: ["CLibXML2", "CCurl"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "khabar",
            dependencies: [
                "KhabarCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KhabarCoreTests",
            dependencies: ["KhabarCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
