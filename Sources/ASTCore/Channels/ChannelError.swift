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

/// An error from a channel or the channel manager.
public enum ChannelError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A message of another type was published to a typed channel.
  case typeMismatch(channel: String, expected: String, got: String)
  /// A channel of that name exists and replacing it was not asked for.
  case alreadyExists(channel: String)
  /// A channel exists with another type than the one requested.
  case typeConflict(channel: String, existing: String, requested: String)
  /// The channel is closed to new messages.
  case closed(channel: String)
  /// A subscriber with that id is already subscribed.
  case duplicateSubscriber(channel: String, subscriberID: String)
  /// A buffer size below 1 was asked for.
  case invalidBufferSize(channel: String, size: Int)

  /// The message the contract gives for each case.
  public var description: String {
    switch self {
    case .typeMismatch(let channel, let expected, let got):
      "Channel '\(channel)' expects messages of type \(expected), got \(got)"
    case .alreadyExists(let channel):
      "Channel '\(channel)' already exists"
    case .typeConflict(let channel, let existing, let requested):
      "Channel '\(channel)' has type \(existing), but \(requested) was requested"
    case .closed(let channel):
      "Channel \(channel) is closed"
    case .duplicateSubscriber(let channel, let subscriberID):
      "Subscriber '\(subscriberID)' is already subscribed to channel '\(channel)'"
    case .invalidBufferSize(let channel, let size):
      "Channel '\(channel)' needs a buffer size of at least 1, got \(size)"
    }
  }
}

/// What a channel looks like at one moment.
public struct ChannelStats: Sendable, Equatable {
  /// The channel's name.
  public var name: String
  /// How many subscribers are registered (including ones still draining after close).
  public var subscriberCount: Int
  /// Whether the channel is closed.
  public var isClosed: Bool
  /// The name of the message type of a typed channel, or `nil` for an untyped one.
  public var messageType: String?
  /// The capacity of each subscriber's buffer.
  public var bufferSize: Int
}
