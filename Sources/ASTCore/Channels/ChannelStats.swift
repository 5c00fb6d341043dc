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
