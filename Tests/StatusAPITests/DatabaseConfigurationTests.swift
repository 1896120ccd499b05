import Testing
@testable import Shared
@testable import StatusAPI

@Suite struct DatabaseConfigurationTests {
    @Test func databaseURLsAreParsedAndPasswordsNeverShown() throws {
        let database = try DatabaseConfiguration(url: "postgres://u:secret@db.example:6543/flotilla")
        #expect(database.host == "db.example" && database.port == 6543 && database.username == "u" && database.database == "flotilla")
        #expect(!database.description.contains("secret"))
        let error = #expect(throws: ConfigurationError.self) { try DatabaseConfiguration(url: "mysql://u:secret@h/db") }
        #expect(error?.description.contains("secret") == false)
        #expect(throws: ConfigurationError.self) { try DatabaseConfiguration(url: "postgres://h:5432/") }
    }
}
