import ArgumentParser
import Foundation
import Learning

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Prepare collaborators' private data.", subcommands: [Split.self])

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Split MNIST's training set into per-cluster shards by digit, e.g. --shard cluster1=0-3.")

        @Option(help: "Directory with the MNIST IDX files.") var mnist: String
        @Option(help: "Directory to write one shard directory per cluster into.") var out: String
        @Option(help: "NAME=DIGITS, digits as 0-3 or 0,2,5. Repeat per cluster.") var shard: [String]
        @Option(help: "Keep at most this many examples per shard (for quick tests).") var limit: Int?

        func run() throws {
            let train = try LabeledImages.loadMNIST(directory: URL(fileURLWithPath: mnist), split: .train)
            for spec in shard {
                let (name, digits) = try ShardSpec.parse(spec)
                var part = train.filtered(digits: digits)
                if let limit { part = part.prefix(limit) }
                let directory = URL(fileURLWithPath: out).appendingPathComponent(name)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try part.write(to: directory, split: .train)
                print("\(name): \(part.count) examples of digits \(digits.sorted().map(String.init).joined(separator: ",")) -> \(directory.path)")
            }
        }
    }
}

enum ShardSpec {
    static func parse(_ text: String) throws -> (String, Set<UInt8>) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--shard '\(text)': expected NAME=DIGITS such as cluster1=0-3") }
        var digits = Set<UInt8>()
        for piece in parts[1].split(separator: ",") {
            let bounds = piece.split(separator: "-").compactMap { UInt8($0) }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0 <= 9 }), bounds.first! <= bounds.last! else {
                throw ValidationError("--shard '\(text)': '\(piece)' is not a digit or a range like 0-3")
            }
            digits.formUnion(bounds.first!...bounds.last!)
        }
        return (parts[0], digits)
    }
}
