/// A registry of named channels.
///
/// Publishing to or subscribing to a name that has no channel creates an untyped
/// channel with the default buffer size. ``closeAll()`` closes every channel, as a
/// ``ProcessingContext`` does when it is closed.
public actor ChannelManager {
  /// The buffer size of channels created without one.
  public nonisolated let defaultBufferSize: Int
  private var channels: [String: Channel] = [:]

  /// Creates an empty manager whose implicitly created channels buffer
  /// `defaultBufferSize` messages per subscriber.
  public init(defaultBufferSize: Int = 100) {
    self.defaultBufferSize = max(1, defaultBufferSize)
  }

  /// Creates a channel.
  ///
  /// - Parameters:
  ///   - messageType: the type every message must have; `nil` for any type.
  ///   - bufferSize: each subscriber's buffer capacity; the manager's default when `nil`.
  ///   - replace: close and replace an existing channel of the same name.
  /// - Throws: ``ChannelError/alreadyExists(channel:)`` when the name is taken and
  ///   `replace` is false.
  @discardableResult
  public func createChannel(
    _ name: String, messageType: MessageType? = nil, bufferSize: Int? = nil,
    replace: Bool = false
  ) async throws -> Channel {
    let existing = channels[name]
    if existing != nil, !replace { throw ChannelError.alreadyExists(channel: name) }
    let channel = try Channel(
      name: name, messageType: messageType, bufferSize: bufferSize ?? defaultBufferSize)
    // Registered before the old channel is closed, so that no suspension lets another
    // replacement overwrite this one unclosed.
    channels[name] = channel
    await existing?.close()
    return channel
  }

  /// The channel named `name`, created when it does not exist.
  ///
  /// - Throws: ``ChannelError/typeConflict(channel:existing:requested:)`` when the
  ///   channel exists with a different message type than `messageType` (a `nil`
  ///   type asks for no particular type).
  public func channel(
    _ name: String, messageType: MessageType? = nil, bufferSize: Int? = nil
  ) throws -> Channel {
    if let existing = channels[name] {
      if let messageType, existing.messageType != messageType {
        throw ChannelError.typeConflict(
          channel: name, existing: existing.messageType?.name ?? "Any",
          requested: messageType.name)
      }
      return existing
    }
    let channel = try Channel(
      name: name, messageType: messageType, bufferSize: bufferSize ?? defaultBufferSize)
    channels[name] = channel
    return channel
  }

  /// The channel named `name`, or `nil` when there is none.
  public func existingChannel(_ name: String) -> Channel? {
    channels[name]
  }

  /// Publishes `message` to the channel `name`, creating the channel when needed.
  ///
  /// - Throws: as ``Channel/publish(_:)``.
  public func publish(_ message: any Sendable, to name: String) async throws {
    try await channel(name).publish(message)
  }

  /// Subscribes to the channel `name`, creating the channel when needed.
  ///
  /// - Throws: as ``Channel/subscribe(id:)``.
  public func subscribe(to name: String, subscriberID: String? = nil) async throws
    -> Subscription
  {
    try await channel(name).subscribe(id: subscriberID)
  }

  /// Removes a subscriber from the channel `name`, if both exist.
  public func unsubscribe(from name: String, subscriberID: String) async {
    await channels[name]?.unsubscribe(id: subscriberID)
  }

  /// Closes the channel `name`, if it exists; it stays listed as closed.
  public func closeChannel(_ name: String) async {
    await channels[name]?.close()
  }

  /// Closes every channel.
  public func closeAll() async {
    for channel in channels.values {
      await channel.close()
    }
  }

  /// Closes the channel `name` and forgets it.
  public func removeChannel(_ name: String) async {
    await channels.removeValue(forKey: name)?.close()
  }

  /// The names of all channels, sorted.
  public var channelNames: [String] {
    channels.keys.sorted()
  }

  /// The statistics of every channel, sorted by name.
  public func stats() async -> [ChannelStats] {
    var result: [ChannelStats] = []
    for name in channels.keys.sorted() {
      if let channel = channels[name] { result.append(await channel.stats) }
    }
    return result
  }

  /// The statistics of the channel `name`, or `nil` when there is none.
  public func stats(for name: String) async -> ChannelStats? {
    await channels[name]?.stats
  }
}
