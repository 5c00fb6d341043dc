import ASTCore

/// A signal at another sample rate, through libsoxr at high quality.
///
/// When the input's length is known the output has `round(frames * new / old)` frames.
public final class ResampleNode: AudioNode {
  private let input: AudioNode
  private let resampler: Resampler<Float>
  private let inputBuffer: AudioBuffer
  private var interleaved: [Float] = []
  private var pending: [Float] = []
  private var pendingStart = 0
  private var flushed = false
  private var produced = 0

  /// Resamples `input` to `sampleRate`.
  public init(_ input: AudioNode, to rate: Int) throws {
    self.input = input
    resampler = try Resampler<Float>(
      inputRate: Double(input.sampleRate), outputRate: Double(rate),
      channelCount: input.channelCount, quality: .high)
    inputBuffer = input.makeBuffer()
    let length = input.frameCount.map {
      Int((Double($0) * Double(rate) / Double(input.sampleRate)).rounded())
    }
    super.init(
      sampleRate: rate, channelCount: input.channelCount, frameCount: length,
      context: input.context)
  }

  private var available: Int { (pending.count - pendingStart) / channelCount }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let channels = channelCount
    var wanted = frames
    if let total = frameCount { wanted = min(wanted, total - produced) }
    guard wanted > 0 else { return 0 }
    while available < wanted, !flushed {
      let count = try await input.render(into: inputBuffer, frames: context.blockSize)
      if count > 0 {
        interleaved.removeAll(keepingCapacity: true)
        inputBuffer.interleave(frames: count, channels: channels, appendingTo: &interleaved)
        if pendingStart > 0 {
          pending.removeFirst(pendingStart)
          pendingStart = 0
        }
        try interleaved.withUnsafeBufferPointer { try resampler.process($0, into: &pending) }
      }
      if count < context.blockSize {
        if pendingStart > 0 {
          pending.removeFirst(pendingStart)
          pendingStart = 0
        }
        try resampler.flush(into: &pending)
        flushed = true
      }
    }
    var count = min(wanted, available)
    if flushed, count < wanted, let total = frameCount {
      // libsoxr may give a frame less than the rounded length: pad with silence.
      count = min(wanted, total - produced)
    }
    let ready = min(count, available)
    buffer.deinterleave(pending, from: pendingStart, frames: ready, channels: channels)
    buffer.clear(from: ready, to: count)
    pendingStart += ready * channels
    produced += count
    return count
  }
}
