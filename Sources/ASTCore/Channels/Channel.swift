/// A named broadcast channel with a bounded buffer per subscriber.
///
/// Every subscriber receives every message published after it subscribed, in order.
/// A publisher waits while any subscriber's buffer is full, so the channel runs at
/// the pace of its slowest subscriber. Closing never waits: publishing afterwards
/// fails, and subscribers end once they have received what their buffers hold.
public actor Channel {
  /// The channel's name.
  public nonisolated let name: String
  /// The type every message must have, or `nil` for an untyped channel.
  public nonisolated let messageType: MessageType?
  /// The capacity of each subscriber's buffer.
  public nonisolated let bufferSize: Int

  private struct Subscriber {
    /// Identifies this registration, so that a stale subscription never touches a
    /// later subscriber that reuses the id.
    let token: Int
    var queue = MessageQueue()
    /// Readers waiting on an empty buffer, first come first served.
    var readers: [CheckedContinuation<(any Sendable)?, Never>] = []
  }

  private var subscribers: [String: Subscriber] = [:]
  private var spaceWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
  private var nextWaiterID = 0
  private var nextSubscriberNumber = 0
  private var nextToken = 0
  private var closed = false

  /// Creates an open channel.
  ///
  /// - Throws: ``ChannelError/invalidBufferSize(channel:size:)`` for a size below 1.
  public init(name: String, messageType: MessageType? = nil, bufferSize: Int = 100) throws {
    guard bufferSize >= 1 else {
      throw ChannelError.invalidBufferSize(channel: name, size: bufferSize)
    }
    self.name = name
    self.messageType = messageType
    self.bufferSize = bufferSize
  }

  /// Whether the channel is closed.
  public var isClosed: Bool { closed }

  /// The number of registered subscribers.
  public var subscriberCount: Int { subscribers.count }

  /// The channel's current statistics.
  public var stats: ChannelStats {
    ChannelStats(
      name: name, subscriberCount: subscribers.count, isClosed: closed,
      messageType: messageType?.name, bufferSize: bufferSize)
  }

  /// Sends `message` to every current subscriber, waiting while any buffer is full.
  ///
  /// With no subscribers the message is dropped.
  ///
  /// - Throws: ``ChannelError/closed(channel:)`` when the channel is or becomes closed
  ///   before the message is accepted, ``ChannelError/typeMismatch(channel:expected:got:)``
  ///   for a message of the wrong type on a typed channel, and `CancellationError`
  ///   when the publishing task is cancelled while it waits.
  public func publish(_ message: any Sendable) async throws {
    if let messageType {
      let actual = MessageType(of: message)
      guard actual == messageType else {
        throw ChannelError.typeMismatch(
          channel: name, expected: messageType.name, got: actual.name)
      }
    }
    while true {
      guard !closed else { throw ChannelError.closed(channel: name) }
      if subscribers.values.allSatisfy({ $0.queue.count < bufferSize }) { break }
      try await waitForSpace()
    }
    for id in subscribers.keys {
      if subscribers[id]?.readers.isEmpty == false,
        let reader = subscribers[id]?.readers.removeFirst()
      {
        reader.resume(returning: message)
      } else {
        subscribers[id]?.queue.append(message)
      }
    }
  }

  private func waitForSpace() async throws {
    let id = nextWaiterID
    nextWaiterID += 1
    await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        if Task.isCancelled {
          continuation.resume()
        } else {
          spaceWaiters[id] = continuation
        }
      }
    } onCancel: {
      Task { await self.resumeSpaceWaiter(id) }
    }
    try Task.checkCancellation()
  }

  private func resumeSpaceWaiter(_ id: Int) {
    spaceWaiters.removeValue(forKey: id)?.resume()
  }

  private func resumeAllSpaceWaiters() {
    let waiters = spaceWaiters
    spaceWaiters = [:]
    for waiter in waiters.values { waiter.resume() }
  }

  /// Registers a subscriber and returns its sequence of messages.
  ///
  /// A subscription to a closed channel is empty. The subscriber stays registered
  /// until it has read to the end, its task is cancelled while waiting, it calls
  /// ``Subscription/cancel()``, or the last copy of the subscription is released.
  ///
  /// - Parameter id: the subscriber's id; one is made up when `nil`.
  /// - Throws: ``ChannelError/duplicateSubscriber(channel:subscriberID:)`` when a
  ///   subscriber with `id` is registered.
  public func subscribe(id: String? = nil) throws -> Subscription {
    var subscriberID = id ?? ""
    while id == nil, subscriberID.isEmpty || subscribers[subscriberID] != nil {
      nextSubscriberNumber += 1
      subscriberID = "subscriber-\(nextSubscriberNumber)"
    }
    guard subscribers[subscriberID] == nil else {
      throw ChannelError.duplicateSubscriber(channel: name, subscriberID: subscriberID)
    }
    nextToken += 1
    if !closed {
      subscribers[subscriberID] = Subscriber(token: nextToken)
    }
    return Subscription(channel: self, subscriberID: subscriberID, token: nextToken)
  }

  /// Removes a subscriber; messages left in its buffer are dropped, its readers end and
  /// a waiting publisher may go on.
  public func unsubscribe(id: String) {
    guard let removed = subscribers.removeValue(forKey: id) else { return }
    for reader in removed.readers { reader.resume(returning: nil) }
    resumeAllSpaceWaiters()
  }

  /// Removes a subscriber only if it is still the registration `token` made.
  func unsubscribe(id: String, token: Int) {
    guard subscribers[id]?.token == token else { return }
    unsubscribe(id: id)
  }

  /// The next message for a subscription, or `nil` when it has ended.
  ///
  /// Several tasks may read one subscription; each message goes to one of them.
  /// Cancelling a reader that is waiting ends the subscription.
  func next(for id: String, token: Int) async -> (any Sendable)? {
    guard var subscriber = subscribers[id], subscriber.token == token else { return nil }
    if let message = subscriber.queue.popFirst() {
      subscribers[id] = subscriber
      if subscriber.queue.count == bufferSize - 1 { resumeAllSpaceWaiters() }
      return message
    }
    if closed {
      unsubscribe(id: id)
      return nil
    }
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        if Task.isCancelled {
          continuation.resume(returning: nil)
          unsubscribe(id: id, token: token)
        } else {
          subscribers[id]?.readers.append(continuation)
        }
      }
    } onCancel: {
      Task { await self.unsubscribe(id: id, token: token) }
    }
  }

  /// Closes the channel without waiting.
  ///
  /// Subscribers waiting on an empty buffer end at once; the others end after
  /// reading what their buffers hold. Waiting publishers fail with
  /// ``ChannelError/closed(channel:)``.
  public func close() {
    guard !closed else { return }
    closed = true
    for (id, subscriber) in subscribers where subscriber.queue.count == 0 {
      subscribers.removeValue(forKey: id)
      for reader in subscriber.readers { reader.resume(returning: nil) }
    }
    resumeAllSpaceWaiters()
  }
}

/// A first-in, first-out queue of messages with amortised O(1) removal at the front.
struct MessageQueue {
  private var storage: [any Sendable] = []
  private var head = 0

  var count: Int { storage.count - head }

  mutating func append(_ message: any Sendable) {
    storage.append(message)
  }

  mutating func popFirst() -> (any Sendable)? {
    guard head < storage.count else { return nil }
    let message = storage[head]
    head += 1
    if head >= 64, head * 2 >= storage.count {
      storage.removeFirst(head)
      head = 0
    }
    return message
  }
}
