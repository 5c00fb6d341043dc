import ASTCore

/// A whole signal rendered into memory, then played from there; the one place where a
/// whole signal is held (reverse, normalize, envelopes of signals of unknown length).
public final class MaterializedNode: AudioNode {
  /// The peak a normalized signal is scaled to.
  public static let peak = NodeParameter(
    "peak", unit: .gain, default: AudioSegment.linearGain(decibels: -1), range: .positive,
    "the target peak")
  /// Every parameter, in order.
  public static let parameters = [peak]

  private let held: HeldSignal
  private var position = 0
  private let reversed: Bool
  private let scale: Float

  /// Renders all of `input` now.
  ///
  /// - Parameters:
  ///   - reversed: play it backwards.
  ///   - normalizeTo: scale so the largest absolute sample is this (silence stays silent).
  /// - Throws: ``MemoryLimitError`` (``MemoryUse/wholeSignal``) when the run has no room
  ///   for the signal: before anything renders when its length is known.
  public static func make(
    _ input: AudioNode, reversed: Bool = false, normalizeTo peak: Double? = nil
  ) async throws -> MaterializedNode {
    try await RenderThread.run { try await render(input, reversed: reversed, normalizeTo: peak) }
  }

  private static func render(_ input: AudioNode, reversed: Bool, normalizeTo peak: Double?)
    async throws -> MaterializedNode
  {
    let context = input.context
    let held = try HeldSignal(
      channelCount: input.channelCount, frameCount: input.frameCount, in: context.memory,
      for: .wholeSignal)
    let buffer = input.makeBuffer()
    var largest: Float = 0
    while true {
      try context.cancellation.check()
      try await input.ready(frames: context.blockSize)
      let count = try input.render(into: buffer, frames: context.blockSize)
      try held.append(buffer, frames: count)
      if peak != nil {
        for channel in 0..<input.channelCount {
          let samples = UnsafeBufferPointer(start: buffer.channel(channel), count: count)
          for sample in samples { largest = max(largest, abs(sample)) }
        }
      }
      if count < input.context.blockSize { break }
    }
    try await input.finish()
    var scale: Float = 1
    if let peak, largest > 0 { scale = Float(peak) / largest }
    return MaterializedNode(input: input, held: held, reversed: reversed, scale: scale)
  }

  private init(input: AudioNode, held: HeldSignal, reversed: Bool, scale: Float) {
    self.held = held
    self.reversed = reversed
    self.scale = scale
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: held.frameCount, context: input.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let total = frameCount ?? 0
    let count = min(frames, total - position)
    guard count > 0 else { return 0 }
    for channel in 0..<channelCount {
      let output = buffer.channel(channel)
      held.channels[channel].withUnsafeBufferPointer { samples in
        if reversed {
          for index in 0..<count { output[index] = samples[total - 1 - position - index] * scale }
        } else {
          for index in 0..<count { output[index] = samples[position + index] * scale }
        }
      }
    }
    position += count
    return count
  }
}

/// The samples of a signal held whole, one array per channel, counted in the run's
/// memory before they grow (a doubling at a time when the length is not known).
public final class HeldSignal {
  /// The samples, one array per channel.
  public private(set) var channels: [[Float]]
  /// The memory of the samples in the run's budget.
  public let memory: MemoryReservation

  /// An empty signal of `channelCount` channels; room for `frameCount` frames, when
  /// known, is reserved in `budget` at once.
  ///
  /// - Throws: ``MemoryLimitError`` for `use` when the run has no room for them.
  public init(channelCount: Int, frameCount: Int?, in budget: MemoryBudget, for use: MemoryUse)
    throws
  {
    let frames = frameCount ?? 0
    memory = try budget.reserve(frames: frames, channels: channelCount, width: 4, for: use)
    channels = [[Float]](repeating: [], count: channelCount)
    for channel in channels.indices { channels[channel].reserveCapacity(frames) }
  }

  /// The frames held.
  public var frameCount: Int { channels.first?.count ?? 0 }

  /// Appends the first `frames` frames of `buffer`.
  ///
  /// - Throws: ``MemoryLimitError`` at `origin` when the run has no room for them.
  public func append(_ buffer: AudioBuffer, frames: Int, origin: Int? = nil) throws {
    guard frames > 0, !channels.isEmpty else { return }
    if let capacity = try memory.room(
      for: channels[0].count + frames, capacity: channels[0].capacity,
      width: 4 * channels.count, origin: origin)
    {
      for channel in channels.indices { channels[channel].reserveCapacity(capacity) }
    }
    for channel in channels.indices {
      channels[channel].append(
        contentsOf: UnsafeBufferPointer(start: buffer.channel(channel), count: frames))
    }
  }
}
