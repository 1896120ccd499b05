import Foundation

/// A plain TCP connection, for what an HTTP client library will not do: send a request line
/// of 100 KB, or open a connection and send nothing.
final class RawConnection {
    private let socketFD: Int32

    init(port: Int) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.EBADF) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(socketFD)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(socketFD) }

    func transmit(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw POSIXError(.EPIPE) }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Everything the server sends until it closes the connection; nil if it keeps it open
    /// for longer than `timeout`.
    func readUntilClosed(timeout: Duration) -> Data? {
        let deadline = ContinuousClock.now + timeout
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 200) > 0 else { continue }
            let count = recv(socketFD, &buffer, buffer.count, 0)
            if count <= 0 { return received }  // closed (or reset) by the server
            received.append(contentsOf: buffer[..<count])
        }
        return nil
    }
}
