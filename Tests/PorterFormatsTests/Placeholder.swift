import Testing
@testable import PorterFormats
