import Testing
@testable import PorterQuery
