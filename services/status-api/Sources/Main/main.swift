import Shared
import StatusAPI

await ServiceMain.run(name: "status-api") { source, logger in
    let configuration = try StatusAPIConfiguration(source: source)
    logger.info("serving on \(configuration.host):\(configuration.port), projection in \(configuration.database)")
    return [try StatusAPI.buildApplication(configuration: configuration, logger: logger)]
}
