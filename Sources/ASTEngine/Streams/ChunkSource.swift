import ASTCore

/// A Stream: AudioStream chunks pulled one at a time.
///
/// Chunks made by the engine hold `pcm_f32le` samples, so processing a stream chunk by
/// chunk gives the same samples as processing the signal whole.
open class ChunkSource {
  /// The render's shared settings.
  public let context: RenderContext
  /// An opaque tag naming where in a script the source comes from, for reports.
  public var origin: Int?

  /// Creates a source.
  public init(context: RenderContext) {
    self.context = context
  }

  /// The next chunk, or `nil` at the end.
  open func next() async throws -> AudioStream? {
    fatalError("ChunkSource.next must be overridden by \(type(of: self))")
  }

  /// Settles what the source holds once its consumer will read it no more (it ended, or
  /// the consumer stopped early): a file being written of a stream left before its end
  /// is given up, leaving nothing behind. A source with inputs settles them too; by
  /// default there is nothing to settle.
  open func finish() async throws {}
}

/// Conversions between planar blocks and `pcm_f32le` chunks.
enum ChunkCodec {
  static let context = ProcessingContext()

  /// Appends interleaved little-endian bytes of `frames` frames of `buffer` to `data`:
  /// Int16 by the contract's float-to-int16 rule when `integers`, else Float32. Written
  /// in place, so a chunk gathered from blocks makes no array per block.
  static func append(
    _ buffer: AudioBuffer, channels: Int, frames: Int, integers: Bool, to data: inout [UInt8]
  ) {
    let width = integers ? 2 : 4
    let start = data.count
    data.append(contentsOf: repeatElement(0, count: frames * channels * width))
    data.withUnsafeMutableBytes { bytes in
      let raw = bytes.baseAddress! + start
      if integers {
        for channel in 0..<channels {
          PCMKernels.encodeInt16(
            buffer.channel(channel), count: frames, to: raw + channel * 2, stride: channels)
        }
        return
      }
      for frame in 0..<frames {
        for channel in 0..<channels {
          raw.storeBytes(
            of: buffer.channel(channel)[frame].bitPattern.littleEndian,
            toByteOffset: (frame * channels + channel) * 4, as: UInt32.self)
        }
      }
    }
  }

  /// A chunk's samples as interleaved floats.
  static func samples(_ chunk: AudioStream) throws -> [Float] {
    try context.samples(from: chunk, as: Float.self)
  }
}

/// Cuts a signal into chunks of a fixed number of frames, lazily.
public final class ChunkerSource: ChunkSource {
  /// The length of each chunk, which must come to at least one frame.
  public static let duration = NodeParameter(
    "duration", unit: .seconds, range: .positive, "the length of each chunk")
  /// Every parameter, in order.
  public static let parameters = [duration]

  private let input: AudioNode
  private let framesPerChunk: Int
  private let metadata: Metadata
  private let integers: Bool
  private let buffer: AudioBuffer
  private var index = 0
  private var position = 0
  private var ended = false
  private var settled = false

  /// Settles the signal once: at its end, or when the consumer stops early.
  private func settle() async throws {
    guard !settled else { return }
    settled = true
    try await input.finish()
  }

  override public func finish() async throws {
    try await settle()
  }
  /// The memory of a chunk in the run's budget.
  private let memory: MemoryReservation

  /// Chunks of `framesPerChunk` frames of `input`, each with `metadata` and `chunk_index`;
  /// `pcm_f32le`, or `pcm_s16le` when `integers` is true.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for a chunk, held whole as
  ///   bytes and, by whoever reads it, as floats.
  public init(
    _ input: AudioNode, framesPerChunk: Int, metadata: Metadata = [:], integers: Bool = false
  ) throws {
    memory = try input.context.memory.reserve(
      frames: framesPerChunk, channels: input.channelCount, width: 8, for: .part("each chunk"))
    self.input = input
    self.framesPerChunk = framesPerChunk
    self.metadata = metadata
    self.integers = integers
    buffer = try AudioBuffer(
      channelCount: input.channelCount, capacity: input.context.blockSize,
      reservingIn: input.context.memory, for: .blocks)
    super.init(context: input.context)
  }

  override public func next() async throws -> AudioStream? {
    guard !ended else { return nil }
    let channels = input.channelCount
    let width = integers ? 2 : 4
    var data: [UInt8] = []
    data.reserveCapacity(framesPerChunk * channels * width)
    var frames = 0
    while frames < framesPerChunk {
      try context.cancellation.check()
      let wanted = min(context.blockSize, framesPerChunk - frames)
      try await input.ready(frames: wanted)
      let count = try input.render(into: buffer, frames: wanted)
      ChunkCodec.append(
        buffer, channels: channels, frames: count, integers: integers, to: &data)
      frames += count
      if count < wanted {
        ended = true
        break
      }
    }
    if ended { try await settle() }
    guard frames > 0 else {
      ended = true
      return nil
    }
    var chunkMetadata = metadata
    chunkMetadata["chunk_index"] = .int(index)
    let chunk = AudioStream(
      data: data, sampleRate: input.sampleRate, channelCount: channels, sampleWidth: width,
      format: (integers ? SampleFormat.pcmS16LE : SampleFormat.pcmF32LE).rawValue,
      timestamp: Timestamp(frames: position..<(position + frames), sampleRate: input.sampleRate),
      metadata: chunkMetadata)
    index += 1
    position += frames
    return chunk
  }
}

/// A node that plays the chunk it is given: the input of an effect applied to a
/// stream chunk by chunk, so the effect's state carries over between chunks.
public final class FeedNode: AudioNode {
  private var queue: InterleavedQueue

  /// A feed of `channelCount` channels at `sampleRate`.
  public init(sampleRate: Int, channelCount: Int, context: RenderContext) {
    queue = InterleavedQueue(channels: channelCount)
    super.init(
      sampleRate: sampleRate, channelCount: channelCount, frameCount: nil, context: context)
  }

  /// Sets the interleaved samples the next renders play.
  public func feed(_ interleaved: [Float]) {
    queue.replace(with: interleaved)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = min(frames, queue.frames)
    queue.read(into: buffer, frames: count)
    return count
  }
}

/// An effect applied to every chunk of a stream, with its state kept across chunks.
///
/// The effect's graph is built once, on the first chunk, around a ``FeedNode``; each
/// chunk keeps its timestamp and metadata.
public final class LiftedSource: ChunkSource {
  /// Builds the effect around its input.
  public typealias Builder = (AudioNode) async throws -> AudioNode

  private let input: ChunkSource
  private let build: Builder
  private var feed: FeedNode?
  private var effect: AudioNode?
  private var buffer: AudioBuffer?
  /// The memory of a chunk fed to the effect and of its output, in the run's budget.
  private let memory: MemoryReservation

  /// Applies the effect made by `build` to each chunk of `input`.
  public init(_ input: ChunkSource, build: @escaping Builder) {
    memory = input.context.memory.reservation(for: .part("the chunks"))
    self.input = input
    self.build = build
    super.init(context: input.context)
  }

  override public func finish() async throws {
    try await input.finish()
  }

  override public func next() async throws -> AudioStream? {
    guard let chunk = try await input.next() else {
      try await effect?.finish()
      return nil
    }
    if feed == nil {
      let node = FeedNode(
        sampleRate: chunk.sampleRate, channelCount: chunk.channelCount, context: context)
      let built = try await build(node)
      feed = node
      effect = built
      buffer = try AudioBuffer(
        channelCount: built.channelCount, capacity: context.blockSize,
        reservingIn: context.memory, for: .blocks, origin: origin)
    }
    guard let feed, let effect, let buffer else { return nil }
    guard chunk.sampleRate == feed.sampleRate, chunk.channelCount == feed.channelCount else {
      throw RenderError.failed(
        "a stream changed format mid-way: \(chunk.sampleRate) Hz, \(chunk.channelCount) channels "
          + "after \(feed.sampleRate) Hz, \(feed.channelCount) channels")
    }
    let frames = chunk.frameCount
    try memory.grow(
      toAtLeast: MemoryBudget.bytes(
        frames: frames, channels: chunk.channelCount + effect.channelCount, width: 4),
      origin: origin)
    feed.feed(try ChunkCodec.samples(chunk))
    var data: [UInt8] = []
    data.reserveCapacity(frames * effect.channelCount * 4)
    var done = 0
    while done < frames {
      let wanted = min(context.blockSize, frames - done)
      try await effect.ready(frames: wanted)
      let count = try effect.render(into: buffer, frames: wanted)
      ChunkCodec.append(
        buffer, channels: effect.channelCount, frames: count, integers: false, to: &data)
      done += count
      if count < wanted { break }
    }
    return AudioStream(
      data: data, sampleRate: effect.sampleRate, channelCount: effect.channelCount,
      sampleWidth: 4, format: SampleFormat.pcmF32LE.rawValue, timestamp: chunk.timestamp,
      metadata: chunk.metadata)
  }
}

/// A stream resampled chunk by chunk through one libsoxr resampler, so the result is
/// continuous; each output chunk's timestamp is where its frames sit in the output, and
/// it carries the metadata of the last input chunk it holds.
public final class ResampledSource: ChunkSource {
  private let input: ChunkSource
  private let rate: Int
  private var resampler: Resampler<Float>?
  private var channels = 1
  private var finished = false
  private var produced = 0
  private var metadata: Metadata?
  /// The working buffers' memory in the run's budget.
  private let memory: MemoryReservation

  /// Resamples `input` to `rate`.
  public init(_ input: ChunkSource, to rate: Int) {
    memory = input.context.memory.reservation(for: .part("the resampler's buffers"))
    self.input = input
    self.rate = rate
    super.init(context: input.context)
  }

  override public func finish() async throws {
    try await input.finish()
  }

  override public func next() async throws -> AudioStream? {
    // libsoxr holds back its filter's delay, so a chunk may yield nothing yet: read on
    // until there is output or the stream ends.
    while !finished {
      var output: [Float] = []
      if let chunk = try await input.next() {
        if resampler == nil {
          channels = chunk.channelCount
          resampler = try Resampler<Float>(
            inputRate: Double(chunk.sampleRate), outputRate: Double(rate), channelCount: channels,
            quality: .high)
        }
        try memory.grow(
          toAtLeast: ResampleNode.workingBytes(
            frames: chunk.frameCount, channels: channels,
            ratio: Double(rate) / Double(chunk.sampleRate)), origin: origin)
        let samples = try ChunkCodec.samples(chunk)
        try samples.withUnsafeBufferPointer { try resampler?.process($0, into: &output) }
        metadata = chunk.metadata
      } else {
        finished = true
        try resampler?.flush(into: &output)
      }
      guard !output.isEmpty else { continue }
      let frames = output.count / max(channels, 1)
      let timestamp = Timestamp(frames: produced..<(produced + frames), sampleRate: rate)
      produced += frames
      return AudioStream(
        data: output.withUnsafeBytes { [UInt8]($0) }, sampleRate: rate, channelCount: channels,
        sampleWidth: 4, format: SampleFormat.pcmF32LE.rawValue, timestamp: timestamp,
        metadata: metadata)
    }
    return nil
  }
}

/// A stream's chunks joined back into one signal.
public final class JoinNode: AudioNode {
  private let source: ChunkSource
  private var queue: InterleavedQueue
  private var ended = false
  /// The queue's memory in the run's budget.
  private let memory: MemoryReservation

  /// Joins `source`, reading its first chunk now to learn its format; an empty stream
  /// takes the rate and channels given (44100 Hz mono when not known).
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for the chunks queued.
  public static func make(_ source: ChunkSource, sampleRate: Int? = nil, channelCount: Int? = nil)
    async throws -> JoinNode
  {
    let first = try await RenderThread.run { try await source.next() }
    let memory = try source.context.memory.reserve(
      MemoryBudget.bytes(
        frames: first?.frameCount ?? 0, channels: first?.channelCount ?? 0, width: 4),
      for: .part("the queue of chunks"))
    return JoinNode(
      source: source, first: first, sampleRate: sampleRate ?? 44_100,
      channelCount: channelCount ?? 1, memory: memory)
  }

  private init(
    source: ChunkSource, first: AudioStream?, sampleRate: Int, channelCount: Int,
    memory: MemoryReservation
  ) {
    self.source = source
    self.memory = memory
    let channels = first?.channelCount ?? channelCount
    queue = InterleavedQueue(
      channels: channels, samples: (first.flatMap { try? ChunkCodec.samples($0) }) ?? [])
    ended = first == nil
    super.init(
      sampleRate: first?.sampleRate ?? sampleRate, channelCount: channels, frameCount: nil,
      context: source.context)
  }

  /// Reads chunks until the next `frames` frames are queued or the stream ends: the
  /// wait for a chunk (standard input, a channel) happens here, never in a render.
  override public func finish() async throws {
    try await source.finish()
    try await super.finish()
  }

  override public func ready(frames: Int) async throws {
    while queue.frames < frames, !ended {
      guard let chunk = try await source.next() else {
        ended = true
        break
      }
      queue.dropRead()
      try queue.append(try ChunkCodec.samples(chunk), countedIn: memory, origin: origin)
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = min(frames, queue.frames)
    if count < frames, !ended { throw RenderError.notReady(self) }
    queue.read(into: buffer, frames: count)
    return count
  }
}

/// The chunks arriving on a channel subscription.
public final class SubscribedSource: ChunkSource {
  private var iterator: Subscription.Iterator
  private let name: String

  /// Reads `subscription` of the channel `name`.
  public init(_ subscription: Subscription, name: String, context: RenderContext) {
    iterator = subscription.makeAsyncIterator()
    self.name = name
    super.init(context: context)
  }

  override public func next() async throws -> AudioStream? {
    try context.cancellation.check()
    guard let message = await iterator.next() else { return nil }
    guard let chunk = message as? AudioStream else {
      throw RenderError.failed(
        "channel '\(name)' carried a \(type(of: message)), not an AudioStream chunk")
    }
    return chunk
  }
}

/// A stream with a metadata entry added to each chunk.
public final class TaggedSource: ChunkSource {
  private let input: ChunkSource
  private let key: String
  private let value: MetadataValue

  /// Tags every chunk of `input` with `key: value`.
  public init(_ input: ChunkSource, key: String, value: MetadataValue) {
    self.input = input
    self.key = key
    self.value = value
    super.init(context: input.context)
  }

  override public func finish() async throws {
    try await input.finish()
  }

  override public func next() async throws -> AudioStream? {
    guard var chunk = try await input.next() else { return nil }
    var metadata = chunk.metadata ?? [:]
    metadata[key] = value
    chunk.metadata = metadata
    return chunk
  }
}

/// A stream passed on unchanged while something watches each chunk (writing it to a
/// file, summarising it), with a last call at the end.
public final class TapSource: ChunkSource {
  private let input: ChunkSource
  private let onChunk: (AudioStream) async throws -> Void
  private let onEnd: () async throws -> Void
  private let onAbandon: (() async -> Void)?
  private var ended = false

  /// Passes `input` on, calling `onChunk` for each chunk and `onEnd` once at the end; a
  /// tap settled before its input ended (its consumer stopped early) calls `onAbandon`
  /// instead.
  public init(
    _ input: ChunkSource, onChunk: @escaping (AudioStream) async throws -> Void,
    onEnd: @escaping () async throws -> Void, onAbandon: (() async -> Void)? = nil
  ) {
    self.input = input
    self.onChunk = onChunk
    self.onEnd = onEnd
    self.onAbandon = onAbandon
    super.init(context: input.context)
  }

  override public func finish() async throws {
    if !ended {
      ended = true
      await onAbandon?()
    }
    try await input.finish()
  }

  override public func next() async throws -> AudioStream? {
    guard !ended else { return nil }
    guard let chunk = try await input.next() else {
      ended = true
      try await onEnd()
      return nil
    }
    try await onChunk(chunk)
    return chunk
  }
}
