/// One subscriber's view of a channel: an async sequence of the messages published
/// after it subscribed, ending when the channel closes and the buffer is drained.
///
/// The subscriber stays registered while any copy of the subscription exists; when
/// the last copy is released it unsubscribes, so an abandoned subscriber never
/// holds publishers up.
public struct Subscription: AsyncSequence, Sendable {
  /// Messages are any `Sendable` value; see ``messages(of:)`` for a typed view.
  public typealias Element = any Sendable

  /// The channel subscribed to.
  public let channel: Channel
  /// The subscriber's id.
  public let subscriberID: String
  let token: Int
  private let lifetime: Lifetime

  init(channel: Channel, subscriberID: String, token: Int) {
    self.channel = channel
    self.subscriberID = subscriberID
    self.token = token
    self.lifetime = Lifetime(channel: channel, subscriberID: subscriberID, token: token)
  }

  /// Unsubscribes at once; the sequence then ends. A later subscriber that reuses the
  /// id is not affected.
  public func cancel() async {
    await channel.unsubscribe(id: subscriberID, token: token)
  }

  /// The messages that are of type `Message`, others skipped.
  public func messages<Message: Sendable>(of type: Message.Type) -> AsyncCompactMapSequence<
    Subscription, Message
  > {
    compactMap { $0 as? Message }
  }

  /// Creates the iterator over the messages.
  public func makeAsyncIterator() -> Iterator {
    Iterator(subscription: self)
  }

  /// Reads a subscription's messages one by one.
  public struct Iterator: AsyncIteratorProtocol {
    let subscription: Subscription

    /// The next message, waiting for it; `nil` once the subscription has ended.
    public mutating func next() async -> (any Sendable)? {
      await subscription.channel.next(for: subscription.subscriberID, token: subscription.token)
    }
  }

  /// Unsubscribes when the last copy of a subscription goes away.
  private final class Lifetime: Sendable {
    let channel: Channel
    let subscriberID: String
    let token: Int

    init(channel: Channel, subscriberID: String, token: Int) {
      self.channel = channel
      self.subscriberID = subscriberID
      self.token = token
    }

    deinit {
      let channel = channel
      let subscriberID = subscriberID
      let token = token
      Task { await channel.unsubscribe(id: subscriberID, token: token) }
    }
  }
}
