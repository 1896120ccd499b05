import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Shared

/// A request NIO cannot parse (a request line and headers over 80 KiB, such as a 100 KB URL,
/// or bytes that are not HTTP) would get an empty 400 from the server; this answers with
/// problem+json like every other error, then closes the connection.
final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let problem = if case .headerOverflow = parserError {
            ProblemDetails(.badRequest, type: "request-head-too-large", title: "Request head too large",
                           detail: "the URL and headers together exceed \(RequestLimits.maximumHeadBytes / 1024) KiB")
        } else {
            ProblemDetails(.badRequest, type: "malformed-request", title: "Malformed request", detail: "the request is not valid HTTP/1.1: \(parserError)")
        }
        let body = ByteBuffer(bytes: (try? JSONCoding.encoder.encode(problem)) ?? Data())
        let head = HTTPResponse(status: problem.status, headerFields: [
            .contentType: "application/problem+json", .contentLength: "\(body.readableBytes)", .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
