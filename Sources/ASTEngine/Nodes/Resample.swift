import ASTCore

/// A signal at another sample rate, through libsoxr at high quality.
///
/// When the input's length is known the output has `round(frames * new / old)` frames.
public final class ResampleNode: AudioNode {
  /// The sample rate of the output.
  public static let rate = NodeParameter(
    "rate", unit: .sampleRate, range: .sampleRates, "the new sample rate")
  /// Every parameter, in order.
  public static let parameters = [rate]

  private let input: AudioNode
  private let resampler: Resampler<Float>
  private let inputBuffer: AudioBuffer
  private var interleaved: [Float] = []
  private var pending: InterleavedQueue
  private var flushed = false
  private var produced = 0
  /// The working buffers' memory in the run's budget.
  private let memory: MemoryReservation

  /// The most bytes resampling blocks of `frames` frames of `channels` channels by
  /// `ratio` (output rate over input rate) holds at once, besides libsoxr's own state:
  /// the interleaved input, and the output appended to a block not yet read (an array
  /// that grows by doubling); `nil` when that is more than can be counted.
  static func workingBytes(frames: Int, channels: Int, ratio: Double) -> Int? {
    let scaled = (Double(frames) * ratio).rounded(.up)
    guard scaled < Double(Int.max / 8) else { return nil }
    let output = max(1024, Int(scaled) + 256)
    return MemoryBudget.bytes(frames: frames + 2 * (frames + output), channels: channels, width: 4)
  }

  /// Resamples `input` to `sampleRate`.
  ///
  /// - Throws: ``RenderError/failed(_:)`` when the new length would be longer than a
  ///   signal can be (``SignalLength/maximumFrames``), ``MemoryLimitError`` when the run
  ///   has no room for the working buffers.
  public init(_ input: AudioNode, to rate: Int) throws {
    var length: Int?
    if let frames = input.frameCount {
      let scaled = (Double(frames) * Double(rate) / Double(input.sampleRate)).rounded()
      guard scaled <= Double(SignalLength.maximumFrames), let exact = Int(exactly: scaled) else {
        throw SignalLength.tooLong("the resampled signal", frames: scaled, sampleRate: rate)
      }
      length = exact
    }
    memory = try input.context.memory.reserve(
      Self.workingBytes(
        frames: input.context.blockSize, channels: input.channelCount,
        ratio: Double(rate) / Double(input.sampleRate)), for: .part("the resampler's buffers"))
    self.input = input
    resampler = try Resampler<Float>(
      inputRate: Double(input.sampleRate), outputRate: Double(rate),
      channelCount: input.channelCount, quality: .high)
    inputBuffer = input.makeBuffer()
    pending = InterleavedQueue(channels: input.channelCount)
    super.init(
      sampleRate: rate, channelCount: input.channelCount, frameCount: length,
      context: input.context, inputs: [input])
  }

  /// Resamples blocks of the input until the next `frames` frames are held: how many
  /// input frames that takes depends on libsoxr's delay, so it is done here, not in
  /// the renders.
  override public func ready(frames: Int) async throws {
    let channels = channelCount
    var wanted = frames
    if let total = frameCount { wanted = min(wanted, total - produced) }
    guard wanted > 0 else { return }
    while pending.frames < wanted, !flushed {
      try await input.ready(frames: context.blockSize)
      let count = try input.render(into: inputBuffer, frames: context.blockSize)
      if count > 0 {
        interleaved.removeAll(keepingCapacity: true)
        inputBuffer.interleave(frames: count, channels: channels, appendingTo: &interleaved)
        pending.dropRead()
        try interleaved.withUnsafeBufferPointer {
          try resampler.process($0, into: &pending.samples)
        }
      }
      if count < context.blockSize {
        pending.dropRead()
        try resampler.flush(into: &pending.samples)
        flushed = true
      }
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    var wanted = frames
    if let total = frameCount { wanted = min(wanted, total - produced) }
    guard wanted > 0 else { return 0 }
    if pending.frames < wanted, !flushed { throw RenderError.notReady(self) }
    var count = min(wanted, pending.frames)
    if flushed, count < wanted, let total = frameCount {
      // libsoxr may give a frame less than the rounded length: pad with silence.
      count = min(wanted, total - produced)
    }
    let ready = min(count, pending.frames)
    pending.read(into: buffer, frames: ready)
    buffer.clear(from: ready, to: count)
    produced += count
    return count
  }
}
