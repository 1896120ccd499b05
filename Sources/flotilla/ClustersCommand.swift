import ArgumentParser
import FlotillaIdentity
import Foundation

/// `flotilla clusters`: the fleet's credentials.
struct ClustersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusters", abstract: "Manage managed clusters' credentials.", subcommands: [Token.self]
    )

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "token", abstract: "Bootstrap tokens with which agents enrol.", subcommands: [Create.self])
    }

    /// `flotilla clusters token create NAME [--ttl 1h] [--out FILE]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a one-time bootstrap token for a cluster's agent (FLOTILLA_BOOTSTRAP_TOKEN_FILE). It is shown once; the hub keeps only a key derived from it."
        )

        @Argument(help: "The managed cluster's name.")
        var name: String

        @Option(help: "How long the token may be used: seconds, or a number with s, m, h or d (default 1h).")
        var ttl: String = "1h"

        @Option(help: "Write the token to this file (created 0600) instead of printing it.")
        var out: String?

        @OptionGroup var api: APIOptions

        struct Created: Decodable { var cluster: String; var tokenID: String; var token: String; var expiresAt: String }

        func run() async throws {
            guard let seconds = Self.seconds(ttl) else { throw ValidationError("--ttl: '\(ttl)' is not a duration such as 900, 15m, 1h or 2d") }
            let body = try JSONSerialization.data(withJSONObject: ["ttlSeconds": seconds])
            let data = try await api.client.post("v1/clusters/\(name)/bootstrap-tokens", body: body, contentType: "application/json")
            let created = try JSONDecoder().decode(Created.self, from: data)
            if let out {
                do { try writeSecret(created.token + "\n", to: URL(fileURLWithPath: out)) } catch { throw ValidationError("--out: \(error)") }
                print("bootstrap token \(created.tokenID) for cluster \(created.cluster), valid until \(created.expiresAt), written to \(out)")
            } else {
                print(created.token)
                FileHandle.standardError.write(Data("bootstrap token \(created.tokenID) for cluster \(created.cluster), valid until \(created.expiresAt); it is shown only now\n".utf8))
            }
        }

        static func seconds(_ text: String) -> Int? {
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
            if let unit = text.last.flatMap({ units[$0] }), let value = Int(text.dropLast()), value > 0 { return value * unit }
            return Int(text).flatMap { $0 > 0 ? $0 : nil }
        }
    }
}
