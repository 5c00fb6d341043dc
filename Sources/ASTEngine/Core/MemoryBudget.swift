import Synchronization

/// The memory one run may hold, counted across everything the run holds at once: node
/// blocks, delay and reverb lines, whole signals, chunk queues, rings, pictures, file
/// writers' batches and resamplers' buffers.
///
/// Memory is reserved before it is allocated, once per allocation (never per block), and
/// released when its owner is freed, so a run that frees memory can use the budget again.
/// A reservation that would take the run past ``limit`` is refused with a
/// ``MemoryLimitError`` before anything is allocated. The blocks a node allocates when it
/// is built (a few kilobytes each) are counted without being refused
/// (``AudioNode/makeBuffer(channels:)``); whoever builds nodes calls
/// ``requireWithinLimit(origin:)`` afterwards, before they render.
public final class MemoryBudget: Sendable {
  /// The most bytes the run may hold at once.
  public let limit: Int
  /// Whether ``limit`` is the machine's memory, less than the limit asked for: beyond
  /// it the system would refuse the memory, and the process end.
  public let isMachineMemory: Bool
  private let held = Atomic<Int>(0)
  /// The first count that took the run past the limit without being refused.
  private let overdraft = Mutex<MemoryLimitError?>(nil)

  /// A budget of `limit` bytes, none of them held; at most `machineMemory` bytes when
  /// that is given.
  public init(limit: Int, machineMemory: Int? = nil) {
    if let machineMemory, machineMemory < limit {
      self.limit = machineMemory
      isMachineMemory = true
    } else {
      self.limit = limit
      isMachineMemory = false
    }
  }

  /// The error refusing `requested` bytes for `use` while the rest of the run holds
  /// `held`.
  func refusal(_ use: MemoryUse, origin: Int?, requested: Int?, held: Int) -> MemoryLimitError {
    MemoryLimitError(
      use: use, origin: origin, requested: requested, held: max(0, held), limit: limit,
      limitIsMachineMemory: isMachineMemory)
  }

  /// The bytes held now.
  public var bytesHeld: Int { held.load(ordering: .relaxed) }

  /// `count` elements of `width` bytes, or `nil` when that is more than can be counted.
  public static func bytes(_ count: Int, width: Int) -> Int? {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
    return overflow || bytes < 0 ? nil : bytes
  }

  /// `frames` frames of `channels` samples of `width` bytes, or `nil` when that is more
  /// than can be counted.
  public static func bytes(frames: Int, channels: Int, width: Int) -> Int? {
    let (samples, overflow) = frames.multipliedReportingOverflow(by: channels)
    return overflow ? nil : bytes(samples, width: width)
  }

  /// Reserves `bytes` (`nil`: more than can be counted) for `use`, held until the
  /// reservation is freed.
  ///
  /// - Parameter origin: the tag of the place in a script that asks, when known.
  /// - Throws: ``MemoryLimitError`` when the run would hold more than ``limit``.
  public func reserve(_ bytes: Int?, for use: MemoryUse, origin: Int? = nil) throws
    -> MemoryReservation
  {
    let reservation = MemoryReservation(budget: self, use: use)
    try reservation.grow(toAtLeast: bytes, origin: origin)
    return reservation
  }

  /// A reservation for `use` that holds nothing yet, for storage that grows
  /// (``MemoryReservation/room(for:capacity:width:besides:origin:)``).
  public func reservation(for use: MemoryUse) -> MemoryReservation {
    MemoryReservation(budget: self, use: use)
  }

  /// Reserves `frames` frames of `channels` samples of `width` bytes for `use`.
  ///
  /// - Throws: ``MemoryLimitError`` when the run would hold more than ``limit``.
  public func reserve(
    frames: Int, channels: Int, width: Int, for use: MemoryUse, origin: Int? = nil
  ) throws -> MemoryReservation {
    try reserve(
      Self.bytes(frames: frames, channels: channels, width: width), for: use, origin: origin)
  }

  /// Throws the first count made without refusal that took the run past the limit
  /// (a node's blocks, a picture), once; `origin` names the place that asked when the
  /// count did not.
  public func requireWithinLimit(origin: Int? = nil) throws {
    let pending = overdraft.withLock { pending -> MemoryLimitError? in
      defer { pending = nil }
      return pending
    }
    guard var error = pending else { return }
    error.origin = error.origin ?? origin
    throw error
  }

  /// Takes `bytes` more, or throws for `use`: `requested` is what the asker would hold
  /// in all, of which it holds `own` already.
  func acquire(_ bytes: Int, besides own: Int, requested: Int, for use: MemoryUse, origin: Int?)
    throws
  {
    var current = held.load(ordering: .relaxed)
    while true {
      let (total, overflow) = current.addingReportingOverflow(bytes)
      if overflow || total > limit {
        throw refusal(use, origin: origin, requested: requested, held: current - own)
      }
      let (exchanged, original) = held.compareExchange(
        expected: current, desired: total, ordering: .relaxed)
      if exchanged { return }
      current = original
    }
  }

  /// A reservation of `bytes` counted without being refused, for what is built with a
  /// node and allocated as it renders (a picture): the builder's
  /// ``requireWithinLimit(origin:)`` refuses it before the render when it took the run
  /// past the limit.
  func charging(_ bytes: Int, for use: MemoryUse) -> MemoryReservation {
    let reservation = MemoryReservation(budget: self, use: use)
    reservation.charge(bytes)
    return reservation
  }

  /// Counts `bytes` without refusing them; the first count that takes the run past the
  /// limit is kept for ``requireWithinLimit(origin:)``.
  func charge(_ bytes: Int, for use: MemoryUse) {
    let (before, _) = held.wrappingAdd(bytes, ordering: .relaxed)
    guard before > limit - bytes else { return }
    overdraft.withLock { pending in
      pending = pending ?? refusal(use, origin: nil, requested: bytes, held: before)
    }
  }

  /// Gives back `bytes`.
  func release(_ bytes: Int) {
    guard bytes > 0 else { return }
    held.subtract(bytes, ordering: .relaxed)
  }

  /// `8 KB`, `512 MB`, `3.2 GB`.
  public static func describe(_ bytes: Int) -> String {
    let megabytes = Double(bytes) / Double(1 << 20)
    if megabytes < 1 { return "\(Int((Double(bytes) / 1024).rounded(.up))) KB" }
    if megabytes < 1024 { return "\(Int(megabytes.rounded(.up))) MB" }
    return "\((megabytes / 1024 * 10).rounded(.up) / 10) GB"
  }
}

/// Memory held against a ``MemoryBudget`` for one owner, given back when the reservation
/// is freed (with its owner).
///
/// Storage that grows (a whole signal of unknown length, a queue of chunks) makes room
/// through its reservation before it grows (``room(for:capacity:width:besides:origin:)``),
/// at least doubling, so the count changes once per allocation of the storage. One
/// owner grows it at a time; the budget it holds bytes in is shared by every task.
public final class MemoryReservation: Sendable {
  /// The budget the memory is held in.
  public let budget: MemoryBudget
  /// What the memory is for.
  public let use: MemoryUse
  private let held = Atomic<Int>(0)

  init(budget: MemoryBudget, use: MemoryUse) {
    self.budget = budget
    self.use = use
  }

  deinit {
    budget.release(held.load(ordering: .relaxed))
  }

  /// The bytes held.
  public var bytes: Int { held.load(ordering: .relaxed) }

  /// Holds `bytes` more without refusing them (see ``MemoryBudget/charging(_:for:)``).
  fileprivate func charge(_ bytes: Int) {
    budget.charge(bytes, for: use)
    held.add(bytes, ordering: .relaxed)
  }

  /// Holds at least `bytes` (`nil`: more than can be counted), growing to exactly that
  /// when it holds fewer.
  ///
  /// - Throws: ``MemoryLimitError`` naming ``use`` and `origin` when the run would hold
  ///   more than the budget's limit; the reservation is then unchanged.
  public func grow(toAtLeast bytes: Int?, origin: Int? = nil) throws {
    let current = held.load(ordering: .relaxed)
    guard let bytes else {
      throw budget.refusal(
        use, origin: origin, requested: nil, held: budget.bytesHeld - current)
    }
    guard bytes > current else { return }
    try budget.acquire(
      bytes - current, besides: current, requested: bytes, for: use, origin: origin)
    held.store(bytes, ordering: .relaxed)
  }

  /// Makes room for `count` elements of `width` bytes in storage (an array, or arrays
  /// of one length) that holds `capacity`: when it holds fewer, returns the capacity to
  /// grow it to, at least twice `capacity` when the budget allows, after holding that
  /// many elements and `fixed` bytes more; `nil` when there is room already.
  ///
  /// - Throws: ``MemoryLimitError`` naming ``use`` and `origin` when the run has no room
  ///   even for `count`.
  public func room(
    for count: Int, capacity: Int, width: Int, besides fixed: Int = 0, origin: Int? = nil
  ) throws -> Int? {
    guard count > capacity else { return nil }
    func total(_ elements: Int) -> Int? {
      MemoryBudget.bytes(elements, width: width).flatMap { bytes in
        let (sum, overflow) = bytes.addingReportingOverflow(fixed)
        return overflow ? nil : sum
      }
    }
    // Twice the capacity, or failing that what is left between: half of what is free
    // after `count`, so that near the limit the steps still shrink geometrically and a
    // growing line is copied a bounded number of times per byte.
    let doubled = capacity <= Int.max / 2 ? max(count, 2 * capacity) : count
    if doubled > count, (try? grow(toAtLeast: total(doubled), origin: origin)) != nil {
      return doubled
    }
    try grow(toAtLeast: total(count), origin: origin)
    let free = (budget.limit - budget.bytesHeld) / max(1, width) / 2
    let between = count + min(free, doubled - count)
    if between > count, (try? grow(toAtLeast: total(between), origin: origin)) != nil {
      return between
    }
    return count
  }
}

/// What memory is held for, in the words of an error about the memory limit.
public enum MemoryUse: Sendable, Equatable {
  /// A part of what a builtin builds, named with the builtin that asked for it: "the
  /// delay line of 'delay'".
  case part(String)
  /// The whole signal, held by the builtin that asked: "'reverse' holds the whole
  /// signal".
  case wholeSignal
  /// Something named in full: "the ring buffer of 'x', read at more than one place".
  case named(String)

  /// The blocks a node pulls its inputs into.
  public static let blocks = MemoryUse.part("the block buffers")

  /// The words naming the use; `holder` is the builtin that asked, when known.
  public func description(holder: String?) -> String {
    switch self {
    case .part(let what): holder.map { "\(what) of '\($0)'" } ?? what
    case .wholeSignal: holder.map { "'\($0)' holds the whole signal" } ?? "the whole signal"
    case .named(let text): text
    }
  }
}

/// A reservation refused because the run would hold more memory than its limit.
public struct MemoryLimitError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What the memory was for.
  public var use: MemoryUse
  /// The builtin that asked, once known.
  public var holder: String?
  /// The tag of the place in a script that asked, once known.
  public var origin: Int?
  /// The bytes asked for; `nil` when more than can be counted.
  public var requested: Int?
  /// The bytes the rest of the run held.
  public var held: Int
  /// The run's limit.
  public var limit: Int
  /// Whether the limit is the machine's memory, less than the limit asked for.
  public var limitIsMachineMemory: Bool

  /// Creates an error.
  public init(
    use: MemoryUse, holder: String? = nil, origin: Int? = nil, requested: Int?, held: Int,
    limit: Int, limitIsMachineMemory: Bool = false
  ) {
    self.use = use
    self.holder = holder
    self.origin = origin
    self.requested = requested
    self.held = held
    self.limit = limit
    self.limitIsMachineMemory = limitIsMachineMemory
  }

  /// What was refused, how much it needed, what the run held and the limit.
  public var description: String {
    let what = use.description(holder: holder)
    let limitText =
      MemoryBudget.describe(limit) + (limitIsMachineMemory ? ", the memory of this machine" : "")
    guard let requested else {
      return "\(what): that needs more memory than a number of bytes can say (over 8 EB), "
        + "more than the limit of \(limitText)"
    }
    let needed = MemoryBudget.describe(requested)
    guard held > 0, requested <= limit else {
      return "\(what): that needs \(needed) of memory, more than the limit of \(limitText)"
    }
    return "\(what): that needs \(needed) of memory, which with the "
      + "\(MemoryBudget.describe(held)) the run holds already is more than the limit of "
      + limitText
  }
}
