import Shared
import StatusAPI

await ServiceMain.run(name: "status-api") { source, logger in
    let configuration = try StatusAPIConfiguration(source: source)
    logger.info("serving on \(configuration.host):\(configuration.port), projection in \(configuration.database)")
    return [LogIdentityWatch(configuration: configuration.hub.kafka, logger: logger), try StatusAPI.buildApplication(configuration: configuration, logger: logger)]
}
