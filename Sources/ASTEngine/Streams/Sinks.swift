import ASTCore
import Dispatch
import Foundation
import Synchronization

/// Writes planar blocks or chunks to an audio file, atomically, converting floats to
/// the file's encoding by the contract's rule (scale, clip, truncate toward zero) and
/// counting the samples beyond full scale that were clipped.
public final class SignalFileWriter {
  /// The destination path.
  public let path: String
  /// How reports name the file: the path as the script wrote it.
  public let displayName: String
  private let writer: AudioFileWriter
  private let background: BackgroundWriter
  private let channels: Int
  private let origin: Int?
  private let trouble: TroubleReport
  private var interleaved: [Float] = []
  private var integers: [Int32] = []
  private var shorts: [Int16] = []
  /// How many converted samples at the start of `shorts` wait to be handed on.
  private var pendingCount = 0
  private var clipped = 0
  private var nonFinite = 0
  private let isStream: Bool
  /// The memory of the conversions and of the batches in flight, in the run's budget.
  private let memory: MemoryReservation

  /// The encodings a write may ask for by their short names (`s16`, `s24`, `s32`, `f32`).
  public static let namedEncodings: [SampleEncoding] = [.int16, .int24, .int32, .float32]

  /// The encoding of one of ``namedEncodings`` by its short name; an empty name takes the
  /// format's usual one (16-bit for WAV, AIFF and FLAC).
  public static func encoding(named name: String, format: AudioFileFormat) -> SampleEncoding? {
    if name.isEmpty { return format.isLossy ? .float32 : .int16 }
    guard let encoding = SampleEncoding(shortName: name), namedEncodings.contains(encoding)
    else { return nil }
    return encoding
  }

  /// Opens a temporary file beside `path`.
  ///
  /// - Parameters:
  ///   - displayName: how errors and reports name the file (the path as the script or
  ///     the user wrote it); `path` when `nil`.
  ///   - settings: the MP3 bitrate, Vorbis quality or FLAC compression level.
  ///   - expectedFrames: how many frames will be written, when known: a WAV file
  ///     expected to pass 4 GiB is written as RF64 (see ``ASTCore/AudioFileWriter``).
  ///   - context: the run's settings: where clipping is reported, the memory the
  ///     writer's buffers are counted in, the block size.
  /// - Throws: ``ASTCore/AudioFileError`` naming the file, or ``MemoryLimitError`` when
  ///   the run has no room for the writer's buffers.
  public init(
    path: String, displayName: String? = nil, format: AudioFileFormat? = nil,
    encodingName: String = "", settings: EncoderSettings = EncoderSettings(), sampleRate: Int,
    channelCount: Int, expectedFrames: Int? = nil, origin: Int?, context: RenderContext
  ) throws {
    let shown = displayName ?? path
    guard let resolved = format ?? AudioFileWriter.defaultFormat(for: path) else {
      throw AudioFileError(
        .unsupportedFormat, .write, path: shown, reason: AudioFileWriter.unknownExtension)
    }
    guard let encoding = Self.encoding(named: encodingName, format: resolved) else {
      throw AudioFileError(
        .unsupportedFormat, .write, path: shown, reason: "unknown sample format '\(encodingName)'")
    }
    // The batch being gathered holds up to a block more than a batch, and each batch is
    // copied out to the background writer, which holds four and writes a fifth; a
    // block of another encoding is interleaved as floats and as integers.
    let blockSamples = context.blockSize * channelCount
    let batchBytes = 2 * (Self.batchSamples + blockSamples)
    memory = try context.memory.reserve(
      batchBytes * (BackgroundWriter.slots + 2) + 8 * blockSamples,
      for: .part("the file writer's batches"), origin: origin)
    self.path = path
    self.displayName = shown == "-" ? "standard output" : shown
    writer = try AudioFileWriter(
      path: path, displayPath: shown, format: resolved, encoding: encoding,
      sampleRate: sampleRate, channelCount: channelCount, settings: settings,
      expectedFrames: expectedFrames)
    isStream = writer.writesStream
    background = BackgroundWriter { [writer] batch in
      try batch.withUnsafeBufferPointer { try writer.write($0) }
    }
    channels = channelCount
    self.origin = origin
    trouble = context.trouble
    shorts.reserveCapacity(Self.batchSamples + blockSamples)
  }

  /// Appends `frames` frames of a planar block. While four batches wait for the
  /// background writer this waits for one to be written, suspending the task.
  public func write(_ buffer: AudioBuffer, frames: Int) async throws {
    for batch in try prepare(buffer, frames: frames) { try await background.hand(batch) }
  }

  /// Appends a chunk's frames, suspending the task while four batches wait for the
  /// background writer.
  public func write(_ chunk: AudioStream) async throws {
    for batch in try prepare(chunk) { try await background.hand(batch) }
  }

  /// Converts a block; returns the batches of 16-bit samples ready for the background
  /// writer (other encodings are written at once).
  private func prepare(_ buffer: AudioBuffer, frames: Int) throws -> [[Int16]] {
    if writer.encoding == .int16 {
      return gatherInt16(buffer, frames: frames)
    }
    interleaved.removeAll(keepingCapacity: true)
    buffer.interleave(frames: frames, channels: channels, appendingTo: &interleaved)
    return try prepareInterleaved()
  }

  /// Converts a chunk, as ``prepare(_:frames:)`` does a block.
  private func prepare(_ chunk: AudioStream) throws -> [[Int16]] {
    // A chunk is converted whole, as floats and as integers, and its batch waits for
    // the background writer with four others.
    try memory.grow(
      toAtLeast: MemoryBudget.bytes(
        frames: chunk.frameCount, channels: chunk.channelCount,
        width: 8 + 2 * (BackgroundWriter.slots + 1)), origin: origin)
    interleaved = try ChunkCodec.samples(chunk)
    return try prepareInterleaved()
  }

  /// The common case, 16-bit output, straight from the planar block: the contract's
  /// rule (times 32768, clip, truncate toward zero; NaN is 0), counting clipped samples.
  /// Blocks are gathered into batches of about this many samples before they go to the
  /// background writer: one hand-over (a thread wake-up) and one write per batch.
  private static let batchSamples = 1 << 16

  private func gatherInt16(_ buffer: AudioBuffer, frames: Int) -> [[Int16]] {
    guard frames > 0 else { return [] }
    let total = frames * channels
    let start = pendingCount
    if shorts.count < start + total {
      shorts.append(contentsOf: repeatElement(0, count: start + total - shorts.count))
    }
    shorts.withUnsafeMutableBufferPointer { output in
      if channels == 2, buffer.channelCount == 2,
        PCMKernels.int16InRange(
          left: buffer.channel(0), right: buffer.channel(1), count: frames,
          to: output.baseAddress! + start)
      {
        return
      }
      for channel in 0..<channels {
        convertInt16(
          buffer.channel(min(channel, buffer.channelCount - 1)), count: frames,
          to: output.baseAddress! + start + channel, stride: channels)
      }
    }
    pendingCount = start + total
    // A stream (standard output, a pipe) gets every block at once, so a live input's
    // samples leave within a block of arriving.
    if pendingCount >= Self.batchSamples || isStream { return takePending() }
    return []
  }

  /// Converts `count` samples into every `stride`-th element of `destination` by the
  /// contract's rule, counting the clipped ones; a sample that is not finite becomes 0
  /// and is counted apart. Blocks within [-1, 1] take the vectorised path.
  private func convertInt16(
    _ source: UnsafePointer<Float>, count: Int, to destination: UnsafeMutablePointer<Int16>,
    stride: Int
  ) {
    if PCMKernels.int16InRange(source, count: count, to: destination, stride: stride) { return }
    for index in 0..<count {
      let sample = source[index]
      if sample.isFinite {
        if abs(sample) > 1 { clipped += 1 }
        destination[index * stride] = PCMKernels.int16(fromFloat: sample)
      } else {
        nonFinite += 1
        destination[index * stride] = 0
      }
    }
  }

  /// The gathered samples as a batch for the background writer, if there are any.
  private func takePending() -> [[Int16]] {
    guard pendingCount > 0 else { return [] }
    let batch = Array(shorts[0..<pendingCount])
    pendingCount = 0
    return [batch]
  }

  /// Converts `interleaved`: the batches for the background writer (the gathered ones
  /// first), or none when the encoding is written at once.
  private func prepareInterleaved() throws -> [[Int16]] {
    var batches = takePending()
    for index in interleaved.indices where !interleaved[index].isFinite {
      interleaved[index] = 0
      nonFinite += 1
    }
    switch writer.encoding {
    case .int16, .int8:
      let count = interleaved.count
      let converted = [Int16](unsafeUninitializedCapacity: count) { output, initialized in
        interleaved.withUnsafeBufferPointer { source in
          if let from = source.baseAddress, let to = output.baseAddress {
            convertInt16(from, count: count, to: to, stride: 1)
          }
        }
        initialized = count
      }
      batches.append(converted)
    case .int24, .int32:
      integers.removeAll(keepingCapacity: true)
      let bits = writer.encoding == .int24 ? 23 : 31
      let fullScale = Double(1 << bits)
      for sample in interleaved {
        if abs(sample) > 1 { clipped += 1 }
        let value = PCMKernels.quantize(Double(sample), fullScale: fullScale)
        integers.append(Int32(truncatingIfNeeded: value << (31 - bits)))
      }
      try integers.withUnsafeBufferPointer { try writer.write($0) }
    case .float32, .float64:
      try interleaved.withUnsafeBufferPointer { try writer.write($0) }
    }
    return batches
  }

  /// Completes the file and renames it into place; reports clipping. Waits for the
  /// background writer by suspending the task.
  public func finish() async throws {
    for batch in takePending() { try await background.hand(batch) }
    await background.drained()
    try completeFile()
  }

  private func completeFile() throws {
    try background.raiseFailure()
    try writer.finish()
    trouble.add(.clipped(target: displayName), count: clipped, origin: origin)
    trouble.add(.nonFinite, count: nonFinite, origin: origin)
  }

  /// Abandons the file; the destination is left as it was. Waits for the background
  /// writer by suspending the task.
  public func cancel() async {
    await background.drained()
    writer.cancel()
  }

}

/// The second core's share of writing a file: libsndfile's encoding and the writes to
/// disk run on a serial queue while the render goes on, at most four batches ahead.
///
/// A task that hands a batch while four are queued is suspended until one is written
/// (a continuation resumed from the queue); no thread waits.
final class BackgroundWriter: @unchecked Sendable {
  // Unchecked: `write` holds the file's writer, which is not Sendable. It is called only
  // on `queue`, and the owner uses the writer only after a drain has waited for the
  // queue. `state` is a Mutex.
  private let write: ([Int16]) throws -> Void
  private let queue = DispatchQueue(label: "ast.file-writer")
  private let state = Mutex(State())

  /// The most batches queued at once.
  static let slots = 4

  private struct State {
    var freeSlots = BackgroundWriter.slots
    /// Who waits for a slot, first come first served: each is handed the slot freed.
    var waiting: [@Sendable () -> Void] = []
    var failure: (any Error)?
  }

  /// A writer whose batches `write` writes, one at a time, in order, on its queue.
  init(write: @escaping ([Int16]) throws -> Void) {
    self.write = write
  }

  /// Throws the failure of an earlier batch, if one failed.
  func raiseFailure() throws {
    if let failure = state.withLock({ $0.failure }) { throw failure }
  }

  /// Queues a batch, suspending the task while every slot is taken; throws the failure
  /// of an earlier batch.
  func hand(_ batch: [Int16]) async throws {
    try raiseFailure()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      if takeSlot(orWait: { continuation.resume() }) { continuation.resume() }
    }
    enqueue(batch)
  }

  /// Takes a free slot and returns `true`, or registers `resume` to be called with the
  /// next slot freed and returns `false`.
  private func takeSlot(orWait resume: @escaping @Sendable () -> Void) -> Bool {
    state.withLock { state in
      if state.freeSlots > 0 {
        state.freeSlots -= 1
        return true
      }
      state.waiting.append(resume)
      return false
    }
  }

  /// How many wait for a slot (for tests).
  var waitingCount: Int { state.withLock { $0.waiting.count } }

  /// Frees a slot: hands it to the first who waits, if anyone does.
  private func freeSlot() {
    let next = state.withLock { state -> (@Sendable () -> Void)? in
      guard !state.waiting.isEmpty else {
        state.freeSlots += 1
        return nil
      }
      return state.waiting.removeFirst()
    }
    next?()
  }

  private func enqueue(_ batch: [Int16]) {
    queue.async { [self] in
      defer { freeSlot() }
      guard state.withLock({ $0.failure == nil }) else { return }
      do {
        try write(batch)
      } catch {
        state.withLock { $0.failure = $0.failure ?? error }
      }
    }
  }

  /// Returns once every queued batch is written, suspending the task meanwhile.
  func drained() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      queue.async { continuation.resume() }
    }
  }
}

/// Render loops that drive a graph to its end.
public enum Render {
  /// Renders `node` to its end, returning its summary; `each` sees every block. Without
  /// `measuring`, the summary counts frames only (no peak or RMS), which saves a pass
  /// over every sample. With `timer`, the time of each block (its ready pass and its
  /// render, not `each`) is recorded.
  ///
  /// Each block is first made ready (``AudioNode/ready(frames:)``), which may wait for
  /// input, then rendered; at the end the graph is settled (``AudioNode/finish()``).
  public static func drain(
    _ node: AudioNode, measuring: Bool = true, timer: BlockTimer? = nil,
    each: ((AudioBuffer, Int) async throws -> Void)? = nil
  ) async throws -> SignalSummary {
    try await RenderThread.run {
      try await drainHere(node, measuring: measuring, timer: timer, each: each)
    }
  }

  private static func drainHere(
    _ node: AudioNode, measuring: Bool, timer: BlockTimer?,
    each: ((AudioBuffer, Int) async throws -> Void)?
  ) async throws -> SignalSummary {
    var summary = SignalSummary(sampleRate: node.sampleRate, channelCount: node.channelCount)
    let block = node.context.blockSize
    let buffer = try AudioBuffer(
      channelCount: node.channelCount, capacity: block, reservingIn: node.context.memory,
      for: .blocks)
    timer?.describeBlocks(frames: block, sampleRate: node.sampleRate)
    let limit = node.context.previewSeconds.map { Int(($0 * Double(node.sampleRate)).rounded()) }
    var left = limit
    while true {
      try node.context.cancellation.check()
      let start = timer == nil ? nil : BlockTimer.mark()
      let frames = min(block, left ?? block)
      guard frames > 0 else { break }
      try await node.ready(frames: frames)
      let count = try node.render(into: buffer, frames: frames)
      left? -= count
      if let timer, let start { timer.record(since: start) }
      if count > 0 {
        if measuring {
          summary.add(buffer, frames: count)
        } else {
          summary.frameCount += count
        }
        try await each?(buffer, count)
      }
      if count < frames { break }
    }
    try await node.finish()
    // A graph declares its length before it renders (a writer sizes its file by it, a
    // progress bar counts against it): rendering to another length is a fault of the
    // engine, reported rather than passed on.
    if let declared = node.frameCount {
      let expected = min(declared, limit ?? declared)
      guard summary.frameCount == expected else {
        throw RenderError.failed(
          "internal error: a \(type(of: node)) declared \(declared) frames but rendered "
            + "\(summary.frameCount)")
      }
    }
    return summary
  }

  /// Renders `node` into a file, atomically; returns how many frames were written (the
  /// summary's levels are not measured). With `timer`, each block's render is timed;
  /// with `player`, each block is also played (``play(_:through:timer:each:)``).
  ///
  /// `naming` turns a failure of the file (opening, writing or finishing it, not of the
  /// render) into the error thrown, so that a caller can say whose file it was.
  public static func write(
    _ node: AudioNode, to path: String, format: AudioFileFormat? = nil, encodingName: String = "",
    settings: EncoderSettings = EncoderSettings(), origin: Int? = nil, timer: BlockTimer? = nil,
    player: DevicePlayer? = nil, naming: @escaping (any Error) -> any Error = { $0 }
  ) async throws -> SignalSummary {
    func named<T>(_ body: () throws -> T) throws -> T {
      do { return try body() } catch { throw naming(error) }
    }
    func namedAsync(_ body: () async throws -> Void) async throws {
      do { try await body() } catch { throw naming(error) }
    }
    let writer = try named {
      try SignalFileWriter(
        path: path, format: format, encodingName: encodingName, settings: settings,
        sampleRate: node.sampleRate, channelCount: node.channelCount,
        expectedFrames: node.frameCount, origin: origin, context: node.context)
    }
    do {
      let each: (AudioBuffer, Int) async throws -> Void = { buffer, count in
        try await namedAsync { try await writer.write(buffer, frames: count) }
      }
      // Played as it is written, the render is paced by the device, on its own thread.
      let summary =
        if let player {
          try await play(node, through: player, timer: timer, each: each)
        } else {
          try await drain(node, measuring: false, timer: timer, each: each)
        }
      // A run cancelled while the last blocks came in leaves no file.
      try node.context.cancellation.check()
      try await namedAsync { try await writer.finish() }
      return summary
    } catch {
      await writer.cancel()
      throw error
    }
  }

  /// Reads `source` to its end, returning its summary; `each` sees every chunk.
  public static func drain(
    _ source: ChunkSource, each: ((AudioStream) async throws -> Void)? = nil
  ) async throws -> SignalSummary? {
    try await RenderThread.run { try await drainHere(source, each: each) }
  }

  private static func drainHere(
    _ source: ChunkSource, each: ((AudioStream) async throws -> Void)?
  ) async throws -> SignalSummary? {
    var summary: SignalSummary?
    var chunks = 0
    var seconds = 0.0
    while seconds < source.context.previewSeconds ?? .infinity,
      let chunk = try await source.next()
    {
      try source.context.cancellation.check()
      seconds += chunk.durationSeconds
      if summary == nil {
        summary = SignalSummary(sampleRate: chunk.sampleRate, channelCount: chunk.channelCount)
        summary?.chunkDuration = chunk.durationSeconds
      }
      summary?.add(chunk: chunk)
      chunks += 1
      try await each?(chunk)
    }
    // Read to its end, or stopped by a preview: either way it is read no more.
    try await source.finish()
    summary?.chunkCount = chunks
    return summary
  }
}

/// A file writer for a stream, opened when its first chunk shows the stream's rate and
/// channels.
public final class LazyStreamWriter {
  private let open: (AudioStream) throws -> SignalFileWriter
  /// The writer, once the first chunk has come.
  public private(set) var writer: SignalFileWriter?

  /// A writer that `open` makes for the first chunk.
  public init(open: @escaping (AudioStream) throws -> SignalFileWriter) {
    self.open = open
  }

  /// Writes a chunk, opening the file for the first; suspends while the background
  /// writer is busy.
  public func write(_ chunk: AudioStream) async throws {
    if writer == nil { writer = try open(chunk) }
    try await writer?.write(chunk)
  }

  /// Finishes the file; returns whether there was one (a stream without chunks has
  /// none).
  @discardableResult
  public func finish() async throws -> Bool {
    guard let writer else { return false }
    try await writer.finish()
    return true
  }

  /// Gives the file up, leaving nothing behind.
  public func cancel() async {
    await writer?.cancel()
  }
}
