import ArgumentParser

/// Speed goals are checked here, by figures and ratios, never by timed assertions in tests.
/// Run in release: `swift run -c release flotilla-bench placement`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flotilla-bench",
        abstract: "Flotilla's benchmarks (build with -c release).",
        subcommands: [PlacementBenchmark.self, AggregationBenchmarkCommand.self, AggregationMemoryCommand.self, AggregatorMemoryCommand.self, TrainerOverheadCommand.self, TrainerFilesCommand.self]
    )
}
