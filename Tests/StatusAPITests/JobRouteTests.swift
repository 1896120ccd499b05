import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
@testable import StatusAPI

/// `POST /v1/jobs` and the job reads, in process.
@Suite struct JobRouteTests {
    @Test func aValidDocumentIsPublishedAndAccepted() async throws {
        let fixture = RouteFixture()
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: [.contentType: "application/yaml"], body: ByteBuffer(string: RouteFixture.document(name: "first"))
            )
            #expect(response.status == .accepted)
            #expect(response.headers[.location] == "/v1/jobs/first")
        }
        #expect(await fixture.publisher.published.map(\.id) == ["first"])
    }

    @Test func anInvalidDocumentIsRefusedNamingEachField() async throws {
        let fixture = RouteFixture()
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: RouteFixture.document(name: "bad", rounds: 0))
            )
            #expect(response.status == .unprocessableContent)
            let problem = try response.problem()
            #expect(problem.type == "https://flotilla.dev/problems/invalid-job")
            #expect(problem.errors?.map(\.field) == ["spec.server.rounds"])
        }
        #expect(await fixture.publisher.published.isEmpty)
    }

    @Test func aTakenNameIsRefusedWith409() async throws {
        let fixture = RouteFixture()
        await fixture.readModel.record(try RouteFixture.job("taken"))
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/jobs", method: .post, body: ByteBuffer(string: RouteFixture.document(name: "taken")))
            #expect(response.status == .conflict)
            #expect(try response.problem().type.hasSuffix("/job-exists"))
        }
    }

    @Test func aFailedPublishAnswers503AndGivesTheNameBack() async throws {
        let fixture = RouteFixture()
        await fixture.publisher.fail(with: KafkaError(code: .messageTimedOut, message: "broker gone"))
        try await fixture.application().test(.router) { client in
            let failed = try await client.execute(uri: "/v1/jobs", method: .post, body: ByteBuffer(string: RouteFixture.document(name: "retried")))
            #expect(failed.status == .serviceUnavailable)
            #expect(failed.headers[.retryAfter] == "2")
            #expect(try failed.problem().type.hasSuffix("/event-log-unavailable"))

            await fixture.publisher.fail(with: nil)
            let retried = try await client.execute(uri: "/v1/jobs", method: .post, body: ByteBuffer(string: RouteFixture.document(name: "retried")))
            #expect(retried.status == .accepted)
        }
    }

    @Test func aDocumentOfAnotherMediaTypeIsRefusedWith415() async throws {
        let fixture = RouteFixture()
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: RouteFixture.document(name: "form"))
            )
            #expect(response.status == .unsupportedMediaType)
            #expect(try response.problem().detail.contains("application/yaml"))
            #expect(response.headers[HTTPField.Name("Accept-Post")!]?.contains("application/json") == true)
        }
        #expect(await fixture.publisher.published.isEmpty)
    }

    @Test func aBodyOverTheLimitIsRefusedWith413() async throws {
        let fixture = RouteFixture()
        let body = ByteBuffer(string: String(repeating: "#", count: RequestLimits.maximumBodyBytes + 1))
        try await fixture.application().test(.router) { client in
            let sent = try await client.execute(uri: "/v1/jobs", method: .post, body: body)
            #expect(sent.status == .contentTooLarge)
            #expect(try sent.problem().type.hasSuffix("/body-too-large"))
        }
    }

    @Test func jobsAreListedWithinTheLimitAndShownOneByOne() async throws {
        let fixture = RouteFixture()
        for (offset, name) in ["a", "b", "c"].enumerated() {
            await fixture.readModel.record(try RouteFixture.job(name), at: Date(timeIntervalSince1970: Double(offset)))
        }
        try await fixture.application().test(.router) { client in
            let page = try await client.execute(uri: "/v1/jobs?limit=2", method: .get)
            #expect(page.status == .ok)
            let ids = try JSONDecoder().decode(Items.self, from: Data(page.body.readableBytesView)).items.map(\.id)
            #expect(ids == ["c", "b"])
            for limit in ["0", "1001", "many"] {
                let refused = try await client.execute(uri: "/v1/jobs?limit=\(limit)", method: .get)
                #expect(refused.status == .badRequest)
                #expect(try refused.problem().errors?.first?.field == "limit")
            }
            #expect(try await client.execute(uri: "/v1/jobs/a", method: .get).status == .ok)
            let missing = try await client.execute(uri: "/v1/jobs/nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(try missing.problem().detail == "job 'nope' does not exist")
        }
    }

    struct Items: Decodable {
        struct Item: Decodable { var id: String }
        var items: [Item]
    }
}
