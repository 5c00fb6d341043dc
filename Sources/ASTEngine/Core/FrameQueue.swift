/// Planar frames rendered ahead: filled by a node's ready pass, read by its renders.
///
/// What a node whose demand on its inputs cannot be foreseen holds between the two
/// passes (``ConcatNode``, ``RepeatNode``): its ready pass renders into the queue until it
/// holds what the renders after it will ask for, and the renders copy from it without
/// waiting. Room grows only in the ready pass, counted in the run's memory.
final class FrameQueue {
  /// The frames, from ``start`` up to ``end``.
  private var storage: AudioBuffer
  private var start = 0
  private var end = 0
  /// The memory of the storage in the run's budget.
  private let memory: MemoryReservation
  private let origin: Int?

  /// An empty queue of `channels` channels with room for a block of `context`.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for it.
  init(channels: Int, context: RenderContext, origin: Int?) throws {
    memory = try context.memory.reserve(
      frames: context.blockSize, channels: channels, width: 4, for: .blocks, origin: origin)
    storage = AudioBuffer(channelCount: channels, capacity: context.blockSize)
    self.origin = origin
  }

  /// The frames held.
  var frames: Int { end - start }

  /// The frames that can be appended without growing.
  private var room: Int { storage.capacity - end }

  /// Makes room to append `frames` frames: moves what is held to the front, and grows
  /// the storage (to at least twice its size) when that is not enough. Ready pass only.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for it.
  func reserve(_ frames: Int) throws {
    if room >= frames { return }
    let held = self.frames
    if start > 0 {
      for channel in 0..<storage.channelCount {
        let samples = storage.channel(channel)
        samples.update(from: samples + start, count: held)
      }
      start = 0
      end = held
    }
    if room >= frames { return }
    if let capacity = try memory.room(
      for: held + frames, capacity: storage.capacity, width: 4 * storage.channelCount,
      origin: origin)
    {
      let larger = AudioBuffer(channelCount: storage.channelCount, capacity: capacity)
      for channel in 0..<storage.channelCount {
        larger.channel(channel).update(from: storage.channel(channel), count: held)
      }
      storage = larger
    }
  }

  /// Appends the first `frames` frames of `block`, of as many channels, for which
  /// ``reserve(_:)`` made room.
  ///
  /// - Throws: an error of the engine when no room was made.
  func append(_ block: AudioBuffer, frames: Int) throws {
    guard room >= frames else { throw RenderError.notReady(self) }
    for channel in 0..<storage.channelCount {
      (storage.channel(channel) + end).update(from: block.channel(channel), count: frames)
    }
    end += frames
  }

  /// Moves the first `frames` frames held (at most ``frames``) into `buffer`.
  func read(into buffer: AudioBuffer, frames: Int) {
    for channel in 0..<storage.channelCount {
      buffer.channel(channel).update(from: storage.channel(channel) + start, count: frames)
    }
    start += frames
    if start == end {
      start = 0
      end = 0
    }
  }
}
