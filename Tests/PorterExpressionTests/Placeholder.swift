import Testing
@testable import PorterExpression
