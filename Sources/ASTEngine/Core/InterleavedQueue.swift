/// Interleaved samples waiting to be rendered: appended at the back, read into planar
/// blocks from the front. What nodes fed by chunks or by a resampler hold between blocks.
struct InterleavedQueue {
  /// Samples per frame.
  let channels: Int
  /// The samples; the first ``start`` of them have been read.
  var samples: [Float]
  /// Where the samples not yet read begin.
  private(set) var start = 0

  init(channels: Int, samples: [Float] = []) {
    self.channels = channels
    self.samples = samples
  }

  /// The whole frames not yet read.
  var frames: Int { (samples.count - start) / channels }

  /// Drops the samples already read, before more are appended.
  mutating func dropRead() {
    guard start > 0 else { return }
    samples.removeFirst(start)
    start = 0
  }

  /// Appends `more` samples; when the storage must grow, it grows to at least twice its
  /// size, counted in `memory` (which counts the queue's storage and nothing else)
  /// before it does.
  ///
  /// - Throws: ``MemoryLimitError`` at `origin` when the run has no room.
  mutating func append(_ more: [Float], countedIn memory: MemoryReservation, origin: Int?)
    throws
  {
    if let capacity = try memory.room(
      for: samples.count + more.count, capacity: samples.capacity, width: 4, origin: origin)
    {
      samples.reserveCapacity(capacity)
    }
    samples += more
  }

  /// Replaces everything with `samples`.
  mutating func replace(with samples: [Float]) {
    self.samples = samples
    start = 0
  }

  /// Copies the first `frames` frames not yet read into `buffer`'s channels, and counts
  /// them as read.
  mutating func read(into buffer: AudioBuffer, frames: Int) {
    buffer.deinterleave(samples, from: start, frames: frames, channels: channels)
    start += frames * channels
  }
}
