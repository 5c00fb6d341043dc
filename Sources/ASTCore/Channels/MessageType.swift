/// The type of message a typed channel carries, compared by identity.
public struct MessageType: Sendable, Equatable, Hashable, CustomStringConvertible {
  private let identifier: ObjectIdentifier
  /// The type's name as Swift prints it, such as `AudioStream`.
  public let name: String

  /// The message type of values of `type`.
  public init<Message>(_ type: Message.Type) {
    identifier = ObjectIdentifier(type)
    name = String(describing: type)
  }

  /// The dynamic type of a message.
  public init(of message: any Sendable) {
    let type = Swift.type(of: message as Any)
    identifier = ObjectIdentifier(type)
    name = String(describing: type)
  }

  /// The type's name.
  public var description: String { name }

  /// Two message types are equal when they name the same Swift type.
  public static func == (lhs: MessageType, rhs: MessageType) -> Bool {
    lhs.identifier == rhs.identifier
  }

  /// Hashes the type's identity.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(identifier)
  }
}
