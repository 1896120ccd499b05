import ArgumentParser

@main
struct Flotilla: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flotilla",
        abstract: "Federated learning across Kubernetes clusters: submit and follow jobs, prepare data, evaluate models.",
        subcommands: [Submit.self, Status.self, Watch.self, Evaluate.self, DataCommand.self, ClustersCommand.self, Config.self]
    )
}

/// Options every command that talks to the status API shares.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("status-url"), help: "Base URL of the status API (default: $FLOTILLA_STATUS_URL or http://127.0.0.1:8080).")
    var statusURL: String?

    var client: StatusClient {
        get throws {
            let text = statusURL ?? ProcessEnvironment.value("FLOTILLA_STATUS_URL") ?? "http://127.0.0.1:8080"
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                throw ValidationError("--status-url: '\(text)' is not an http(s) URL")
            }
            return StatusClient(baseURL: url)
        }
    }
}
