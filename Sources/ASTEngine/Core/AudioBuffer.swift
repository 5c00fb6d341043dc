/// A block of planar Float32 audio: one contiguous run of samples per channel.
///
/// Buffers are allocated once, when a node is built, and reused for every block, so
/// rendering allocates nothing.
public final class AudioBuffer {
  /// The number of channels.
  public let channelCount: Int
  /// The most frames the buffer holds.
  public let capacity: Int
  private let storage: UnsafeMutablePointer<Float>
  /// The budget the buffer's samples are counted in, if any.
  private let budget: MemoryBudget?

  /// Creates a zeroed buffer, counted in no budget.
  public convenience init(channelCount: Int, capacity: Int) {
    self.init(channelCount: channelCount, capacity: capacity, countedIn: nil)
  }

  /// Creates a zeroed buffer whose samples are reserved in `budget` first, for `use`.
  ///
  /// - Throws: ``MemoryLimitError`` when the run would hold more than the budget's limit.
  public convenience init(
    channelCount: Int, capacity: Int, reservingIn budget: MemoryBudget, for use: MemoryUse,
    origin: Int? = nil
  ) throws {
    let bytes = MemoryBudget.bytes(frames: capacity, channels: channelCount, width: 4)
    guard let bytes else {
      throw budget.refusal(use, origin: origin, requested: nil, held: budget.bytesHeld)
    }
    try budget.acquire(bytes, besides: 0, requested: bytes, for: use, origin: origin)
    self.init(channelCount: channelCount, capacity: capacity, countedIn: budget)
  }

  /// Creates a zeroed buffer counted in `budget` without being refused: a node's block,
  /// a few kilobytes, made when the node is built (see
  /// ``MemoryBudget/requireWithinLimit(origin:)``).
  convenience init(channelCount: Int, capacity: Int, chargingTo budget: MemoryBudget) {
    budget.charge(channelCount * capacity * 4, for: .blocks)
    self.init(channelCount: channelCount, capacity: capacity, countedIn: budget)
  }

  /// Creates a zeroed buffer whose `channelCount * capacity * 4` bytes `budget` has
  /// counted, and gives them back when it is freed.
  private init(channelCount: Int, capacity: Int, countedIn budget: MemoryBudget?) {
    precondition(channelCount > 0 && capacity > 0, "an audio buffer needs channels and frames")
    self.channelCount = channelCount
    self.capacity = capacity
    self.budget = budget
    storage = .allocate(capacity: channelCount * capacity)
    storage.initialize(repeating: 0, count: channelCount * capacity)
  }

  deinit {
    storage.deallocate()
    budget?.release(channelCount * capacity * 4)
  }

  /// The samples of channel `index`.
  @inline(__always)
  public func channel(_ index: Int) -> UnsafeMutablePointer<Float> {
    storage + index * capacity
  }

  /// Copies `frames` frames of `channels` interleaved channels from `samples`, starting
  /// at index `start`, into the buffer's channels from frame `offset` on.
  public func deinterleave(
    _ samples: [Float], from start: Int, frames: Int, channels: Int, at offset: Int = 0
  ) {
    guard frames > 0 else { return }
    samples.withUnsafeBufferPointer { source in
      let base = source.baseAddress! + start
      if channels == 1 {
        (channel(0) + offset).update(from: base, count: frames)
        return
      }
      for index in 0..<channels {
        let output = channel(index) + offset
        for frame in 0..<frames { output[frame] = base[frame &* channels &+ index] }
      }
    }
  }

  /// Appends `frames` frames of the first `channels` channels to `samples`, interleaved;
  /// channels beyond the buffer's repeat its last one.
  public func interleave(frames: Int, channels: Int, appendingTo samples: inout [Float]) {
    samples.reserveCapacity(samples.count + frames * channels)
    for frame in 0..<frames {
      for index in 0..<channels { samples.append(channel(min(index, channelCount - 1))[frame]) }
    }
  }

  /// Copies `frames` frames of `channels` interleaved 16-bit samples into the buffer's
  /// channels from frame `offset` on, as floats (divided by 32768, exactly as libsndfile
  /// scales them), in one pass.
  public func deinterleave(
    int16 samples: UnsafePointer<Int16>, frames: Int, channels: Int, at offset: Int = 0
  ) {
    let scale: Float = 1.0 / 32768
    switch channels {
    case 1:
      let output = channel(0) + offset
      for frame in 0..<frames { output[frame] = Float(samples[frame]) * scale }
    case 2:
      // Two channels in one loop with constant strides, so the loads vectorise.
      let left = channel(0) + offset
      let right = channel(1) + offset
      for frame in 0..<frames {
        left[frame] = Float(samples[2 &* frame]) * scale
        right[frame] = Float(samples[2 &* frame &+ 1]) * scale
      }
    default:
      for index in 0..<channels {
        let output = channel(index) + offset
        for frame in 0..<frames {
          output[frame] = Float(samples[frame &* channels &+ index]) * scale
        }
      }
    }
  }

  /// Adds the first `count` frames of `block`, a signal of `sourceChannels` channels, to
  /// the first `channels` channels of this buffer: a mono signal to each of them.
  func add(_ block: AudioBuffer, sourceChannels: Int, channels: Int, count: Int) {
    for channel in 0..<channels {
      let x = block.channel(sourceChannels == 1 ? 0 : channel)
      BlockKernels.accumulate(self.channel(channel), x, count: count)
    }
  }

  /// Sets frames `from..<to` of every channel to zero.
  public func clear(from start: Int = 0, to end: Int? = nil) {
    let stop = end ?? capacity
    guard stop > start else { return }
    for index in 0..<channelCount {
      (channel(index) + start).update(repeating: 0, count: stop - start)
    }
  }
}
