import Collaborator
import Shared

await ServiceMain.run(name: "collaborator") { source, logger in
    try Collaborator.services(configuration: try CollaboratorConfiguration(source: source), logger: logger)
}
