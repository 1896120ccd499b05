/// How a configuration prints anywhere (a log line, an error, service-lifecycle's dump of a
/// service's fields): every raw property value is redacted, since any may be a secret
/// (`sasl.password`, `ssl.key.password`), and only their names are shown.
extension KafkaConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        let extra = extraProperties.keys.sorted().map { "\($0)=<redacted>" }.joined(separator: ",")
        return "KafkaConfiguration(bootstrapServers: \(bootstrapServers), clientID: \(clientID)\(extra.isEmpty ? "" : ", extraProperties: \(extra)"))"
    }

    public var debugDescription: String { description }
}
