import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
@testable import StatusAPI

/// Methods, HEAD, unknown paths, readiness and outages, in process.
@Suite struct ProtocolRouteTests {
    @Test func aKnownPathWithAnotherMethodAnswers405WithAllow() async throws {
        let fixture = RouteFixture()
        try await fixture.application().test(.router) { client in
            let delete = try await client.execute(uri: "/v1/jobs/some-job", method: .delete)
            #expect(delete.status == .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET, HEAD")
            #expect(try delete.problem().type.hasSuffix("/method-not-allowed"))
            #expect(try await client.execute(uri: "/v1/jobs", method: .put).headers[.allow] == "GET, HEAD, POST")
            #expect(try await client.execute(uri: "/readyz", method: .post).headers[.allow] == "GET, HEAD")
        }
    }

    @Test func anUnknownPathAnswers404Problem() async throws {
        let fixture = RouteFixture()
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/v2/jobs", method: .get)
            #expect(response.status == .notFound)
            #expect(try response.problem().type.hasSuffix("/not-found"))
        }
    }

    @Test func headOnAGetRouteAnswersItsHeadersWithoutBody() async throws {
        let fixture = RouteFixture()
        await fixture.readModel.record(try RouteFixture.job("headed"))
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/jobs/headed", method: .head)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.body.readableBytes == 0)
            #expect(try await client.execute(uri: "/v1/jobs/absent", method: .head).status == .notFound)
        }
    }

    @Test func anOutageAnswers503WithRetryAfterEverywhere() async throws {
        let fixture = RouteFixture()
        await fixture.readModel.setOutage("PostgreSQL is not reachable")
        try await fixture.application().test(.router) { client in
            for uri in ["/v1/jobs", "/v1/jobs/x", "/v1/jobs/x/rounds", "/v1/clusters", "/v1/dead-letters", "/readyz"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .serviceUnavailable, "\(uri)")
                #expect(response.headers[.retryAfter] == "2", "\(uri)")
                #expect(try response.problem().detail.contains("PostgreSQL is not reachable"), "\(uri)")
            }
            let submit = try await client.execute(uri: "/v1/jobs", method: .post, body: ByteBuffer(string: RouteFixture.document(name: "later")))
            #expect(submit.status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
        #expect(await fixture.publisher.published.isEmpty)
    }

    @Test func readyzIsReadyWhenEverythingAnswers() async throws {
        let fixture = RouteFixture()
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("ready"))
        }
    }
}
