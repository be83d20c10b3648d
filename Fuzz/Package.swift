// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for KhabarCore, in a package of their own so that the normal build never
// sees them: they only link with `-sanitize=fuzzer,address` (their `main.swift` hands over to
// libFuzzer's `LLVMFuzzerRunDriver`). Build and run them with `scripts/fuzz.sh`; seed corpora
// are in `Corpus/<target>/`.
let fuzzTargets = [
    "FuzzArticleExtractor", "FuzzFeedParser", "FuzzSitemapParser", "FuzzRobotsTxt", "FuzzDateParser",
    "FuzzNormalizer", "FuzzURLCanonicalizer", "FuzzWARCReader", "FuzzConfigLoader",
]

let package = Package(
    name: "khabar-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "khabar", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzDriver", .product(name: "KhabarCore", package: "khabar")]
        ),
    ] + fuzzTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "KhabarCore", package: "khabar")]
        )
    },
    swiftLanguageModes: [.v6]
)
