import Foundation
@_exported import struct Foundation.URL

enum ProcessEnvironment {
    static func value(_ key: String) -> String? { ProcessInfo.processInfo.environment[key] }
}
