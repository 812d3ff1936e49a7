import Foundation
import PorterJSON

func benchJSON(_ args: [String]) {
    print("json: not implemented yet")
}
