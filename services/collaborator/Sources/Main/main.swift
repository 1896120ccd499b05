import Collaborator
import Shared

await ServiceMain.run(name: "collaborator") { source, logger in
    let configuration = try CollaboratorConfiguration(source: source)
    return [LogIdentityWatch(configuration: configuration.hub.kafka, logger: logger)] + (try Collaborator.services(configuration: configuration, logger: logger))
}
