// swift-tools-version:6.0
import PackageDescription

// Engines (PorterJSON, PorterQuery, PorterExpression, PorterFormats) know nothing of
// the shell, the tenant or the network. Data flows one way: bytes → JSON → engines → writers.
let package = Package(
    name: "porter",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "porter", targets: ["porter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),

        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        // MARK: Engines
        .target(name: "PorterJSON"),
        .target(name: "PorterQuery", dependencies: ["PorterJSON"], exclude: ["RULES.md"]),
        .target(name: "PorterExpression", dependencies: ["PorterJSON"], exclude: ["LANGUAGE.md"]),
        .target(name: "PorterFormats", dependencies: ["PorterJSON"]),

        // MARK: Executable
        .executableTarget(name: "porter", dependencies: [
            "PorterJSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "porter-bench", dependencies: [
            "PorterJSON", "PorterQuery", "PorterExpression", "PorterFormats",
        ]),

        // MARK: Tests
        .testTarget(name: "PorterJSONTests", dependencies: ["PorterJSON"]),
        .testTarget(name: "PorterQueryTests", dependencies: ["PorterQuery", "CSQLite"]),
        .testTarget(name: "PorterExpressionTests", dependencies: ["PorterExpression"], exclude: ["corpus.txt"]),
        .testTarget(name: "PorterFormatsTests", dependencies: ["PorterFormats"]),
    ]
)
