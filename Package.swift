// swift-tools-version: 6.1
import PackageDescription

/// Flotilla: federated learning across Kubernetes clusters, as event-driven services over Kafka.
/// Libraries hold the logic (and are what the tests import); each executable is a thin `@main`.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "flotilla",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flotilla", targets: ["flotilla"]),
        .executable(name: "flotilla-registry", targets: ["RegistryMain"]),
        .executable(name: "flotilla-placement", targets: ["PlacementMain"]),
        .executable(name: "flotilla-aggregator", targets: ["AggregatorMain"]),
        .executable(name: "flotilla-status-api", targets: ["StatusAPIMain"]),
        .executable(name: "flotilla-collaborator", targets: ["CollaboratorMain"]),
        .executable(name: "flotilla-bench", targets: ["flotilla-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // librdkafka (>= 2.10) found through pkg-config; only `FlotillaKafka` imports it.
        .systemLibrary(
            name: "CRdKafka",
            path: "Sources/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // Tensors, safetensors, MNIST, local training and aggregation arithmetic: Foundation only.
        // Optimized in debug builds too: the tests and the demo run the debug build, and this is
        // where their time goes (training, FedAvg); everything else stays quick to compile.
        .target(name: "Learning", path: "Sources/Learning", swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The Kafka layer: the one module that touches librdkafka's C API. Standard Kafka only.
        .target(
            name: "FlotillaKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Kafka",
            swiftSettings: strict
        ),
        // What services agree on: the job and cluster domain, event types and payloads, topics,
        // confined paths. No broker, database or process code, so any tool can read the log.
        .target(
            name: "FlotillaContracts",
            dependencies: [
                "Learning",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Shared/Contracts",
            swiftSettings: strict
        ),
        // How services run: configuration, consuming and publishing, replay, process start-up.
        // Re-exports the contracts and the Kafka layer, so a service imports only this. No HTTP
        // or PostgreSQL: only the status API links those (and their NIO and TLS stacks).
        .target(
            name: "Shared",
            dependencies: [
                "FlotillaContracts", "FlotillaKafka", "Learning",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Shared/Runtime",
            swiftSettings: strict
        ),
        // The hub's CA, bootstrap tokens, agents' keys and certificates, signed events.
        .target(
            name: "FlotillaIdentity",
            dependencies: [
                "FlotillaContracts",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Shared/Identity",
            swiftSettings: strict
        ),
        .target(name: "Registry", dependencies: ["Shared", "FlotillaIdentity"], path: "services/registry/Sources/Registry", swiftSettings: strict),
        .executableTarget(name: "RegistryMain", dependencies: ["Registry"], path: "services/registry/Sources/Main", swiftSettings: strict),
        .target(name: "Placement", dependencies: ["Shared"], path: "services/placement/Sources/Placement", swiftSettings: strict),
        .executableTarget(name: "PlacementMain", dependencies: ["Placement"], path: "services/placement/Sources/Main", swiftSettings: strict),
        .target(name: "Aggregator", dependencies: ["Shared", "Learning"], path: "services/aggregator/Sources/Aggregator", swiftSettings: strict),
        .executableTarget(name: "AggregatorMain", dependencies: ["Aggregator"], path: "services/aggregator/Sources/Main", swiftSettings: strict),
        .target(
            name: "StatusAPI",
            dependencies: [
                "Shared", "FlotillaIdentity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "services/status-api/Sources/StatusAPI",
            swiftSettings: strict
        ),
        .executableTarget(name: "StatusAPIMain", dependencies: ["StatusAPI"], path: "services/status-api/Sources/Main", swiftSettings: strict),
        .target(name: "Collaborator", dependencies: ["Shared", "FlotillaIdentity", "Learning"], path: "services/collaborator/Sources/Collaborator", swiftSettings: strict),
        .executableTarget(name: "CollaboratorMain", dependencies: ["Collaborator"], path: "services/collaborator/Sources/Main", swiftSettings: strict),
        .executableTarget(
            name: "flotilla",
            dependencies: [
                "Shared", "Learning", "FlotillaIdentity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/flotilla",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "flotilla-bench",
            dependencies: ["Placement", "Collaborator", "Learning", "Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/flotilla-bench",
            swiftSettings: strict
        ),
        .testTarget(name: "LearningTests", dependencies: ["Learning"], path: "Tests/LearningTests"),
        .testTarget(name: "SharedTests", dependencies: ["Shared", "FlotillaContracts", "FlotillaKafka", .product(name: "Logging", package: "swift-log")], path: "Tests/SharedTests", exclude: ["Fixtures"]),
        .testTarget(name: "PlacementTests", dependencies: ["Placement"], path: "Tests/PlacementTests"),
        .testTarget(name: "AggregatorTests", dependencies: ["Aggregator"], path: "Tests/AggregatorTests"),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "FlotillaIdentity"], path: "Tests/RegistryTests"),
        .testTarget(
            name: "IdentityTests",
            dependencies: [
                "FlotillaIdentity",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/IdentityTests"
        ),
        .testTarget(name: "CollaboratorTests", dependencies: ["Collaborator"], path: "Tests/CollaboratorTests"),
        // The status API's routes in process (HummingbirdTesting's router client, in-memory read model).
        .testTarget(
            name: "StatusAPITests",
            dependencies: ["StatusAPI", .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/StatusAPITests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Registry", "Placement", "Aggregator", "StatusAPI", "Collaborator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/IntegrationTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
