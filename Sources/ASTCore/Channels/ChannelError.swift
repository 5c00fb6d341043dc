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
