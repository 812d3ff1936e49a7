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
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
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
        .target(name: "PorterRandom"),  // the one seeded generator (generated users, tests' cases)
        .target(name: "PorterQuery", dependencies: ["PorterJSON"], exclude: ["RULES.md"]),
        .target(name: "PorterExpression", dependencies: ["PorterJSON"], exclude: ["LANGUAGE.md"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2",
                       providers: [.apt(["libargon2-dev"])]),
        // Removes registered temporary files on SIGINT/SIGTERM/SIGHUP (async-signal-safe, in C).
        .target(name: "CTemporaryFiles"),
        .target(name: "PorterFormats", dependencies: [
            "PorterJSON", "CArgon2", "CZlib", "CLibCrypto", "CTemporaryFiles",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        ]),

        // MARK: Tenants
        .target(name: "PorterTenant", dependencies: [
            "PorterJSON", "PorterQuery", "PorterFormats", "PorterRandom",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),  // sqlite3_interrupt for QueryInterrupt
        ]),

        .target(name: "PorterClient", dependencies: ["PorterJSON", "PorterQuery", "PorterTenant", "CCurl"]),

        .target(name: "PorterServer", dependencies: [
            "PorterJSON", "PorterQuery", "PorterTenant",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Crypto", package: "swift-crypto"),  // id tokens of the password grants (HS256)
        ]),

        // MARK: Pipelines and shell
        .target(name: "PorterJobs", dependencies: ["PorterJSON", "PorterQuery", "PorterExpression", "PorterFormats", "PorterTenant",
                                              .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "PorterShell", dependencies: ["PorterJSON", "PorterQuery", "PorterExpression", "PorterFormats", "PorterTenant", "PorterClient", "PorterJobs", "CEditLine"]),

        // MARK: Executable
        .executableTarget(name: "porter", dependencies: [
            "PorterShell", "PorterTenant", "PorterServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Fuzz targets' properties (PorterFuzz) and the libFuzzer entry point, built by scripts/fuzz.
        .target(name: "PorterFuzz", dependencies: ["PorterJSON", "PorterQuery", "PorterExpression", "PorterFormats", "PorterShell"]),
        .executableTarget(name: "porter-fuzz", dependencies: ["PorterFuzz"]),

        .executableTarget(name: "porter-bench", dependencies: [
            "PorterJSON", "PorterQuery", "PorterExpression", "PorterFormats", "PorterTenant", "PorterJobs",
        ]),

        // MARK: Tests
        .testTarget(name: "PorterJSONTests", dependencies: ["PorterJSON", "PorterRandom"]),
        .testTarget(name: "PorterQueryTests", dependencies: ["PorterQuery", "CSQLite", "PorterRandom"], exclude: ["LuceneReference.java"]),
        .testTarget(name: "PorterExpressionTests", dependencies: ["PorterExpression", "PorterRandom", "PorterJobs", "PorterFormats", "PorterTenant", "PorterQuery"],
                    exclude: ["corpus.txt"]),  // the differential test compares cells through the real export
        .testTarget(name: "PorterFormatsTests", dependencies: ["PorterFormats", "PorterRandom"], exclude: ["Fixtures"]),
        .testTarget(name: "PorterTenantTests", dependencies: ["PorterTenant", "PorterJobs", "PorterQuery", "PorterExpression", "PorterRandom", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "PorterShellTests", dependencies: ["PorterShell", "PorterQuery"]),
        .testTarget(name: "PorterClientTests", dependencies: ["PorterClient", "PorterTenant"]),
        .testTarget(name: "PorterFuzzTests", dependencies: ["PorterFuzz"]),
        .testTarget(name: "PorterServerTests", dependencies: [
            "PorterServer", "PorterTenant", "PorterJSON", "PorterFormats", "PorterQuery",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "PorterEndToEndTests", dependencies: ["PorterRandom"], exclude: ["pty_cancel.py", "pty_driver.py", "pty_session.py", "pty_display.py", "pty_diff.py", "sdk_check.py", "verify_check.py"]),
    ]
)
