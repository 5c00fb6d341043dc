import Synchronization

/// A flag that stops a render: set from any thread or task, checked by the render loops
/// once per block, and able to wake whatever waits outside a render (a channel, a
/// subscriber) through handlers registered with ``onCancel(_:)``.
public final class CancellationToken: Sendable {
  private let cancelled = Atomic<Bool>(false)
  private let registry = Mutex(Registry())

  /// The handlers waiting for ``cancel()``, by registration number.
  private struct Registry {
    var handlers: [Int: @Sendable () -> Void] = [:]
    var next = 0
    /// Whether the handlers have been taken to run: later registrations run at once.
    var fired = false
  }

  /// Creates a token that is not cancelled.
  public init() {}

  /// Asks every render that checks this token to stop, and runs the registered handlers
  /// on the calling thread. Only the first call has an effect.
  public func cancel() {
    guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let handlers = registry.withLock { registry in
      registry.fired = true
      defer { registry.handlers.removeAll() }
      return registry.handlers.sorted { $0.key < $1.key }.map(\.value)
    }
    for handler in handlers { handler() }
  }

  /// Whether ``cancel()`` has been called.
  public var isCancelled: Bool {
    cancelled.load(ordering: .acquiring)
  }

  /// Throws ``RenderError/cancelled`` when cancelled.
  public func check() throws {
    if isCancelled { throw RenderError.cancelled }
  }

  /// Runs `handler` once when the token is cancelled: on the thread that cancels it, or
  /// at once on this thread when it already is. The handler must not block; to do work
  /// that waits, it starts a task.
  ///
  /// - Returns: the registration, whose ``CancellationRegistration/remove()`` withdraws
  ///   the handler when what it would wake no longer waits.
  @discardableResult
  public func onCancel(_ handler: @escaping @Sendable () -> Void) -> CancellationRegistration {
    let number: Int? = registry.withLock { registry in
      guard !registry.fired else { return nil }
      let number = registry.next
      registry.next += 1
      registry.handlers[number] = handler
      return number
    }
    guard let number else {
      handler()
      return CancellationRegistration(token: nil, number: 0)
    }
    return CancellationRegistration(token: self, number: number)
  }

  /// Withdraws the handler registered as `number`, if it has not run.
  fileprivate func removeHandler(_ number: Int) {
    _ = registry.withLock { $0.handlers.removeValue(forKey: number) }
  }
}

/// A handler registered with ``CancellationToken/onCancel(_:)``.
public struct CancellationRegistration: Sendable {
  fileprivate let token: CancellationToken?
  fileprivate let number: Int

  /// Withdraws the handler: it will not run if the token is cancelled later. A handler
  /// that has run or is running is not affected.
  public func remove() {
    token?.removeHandler(number)
  }
}
