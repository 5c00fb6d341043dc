import ASTCore

/// Makes a fresh copy of a signal's graph, for nodes that play a signal more than once.
public typealias NodeFactory = () async throws -> AudioNode

/// Signals one after another. Inputs with fewer channels than the widest are spread
/// to all channels (mono) or padded with silence.
public final class ConcatNode: AudioNode {
  private let inputs: [AudioNode]
  private let scratch: AudioBuffer
  private var current = 0

  /// `inputs` in order (at least one, of one sample rate).
  public init(_ inputs: [AudioNode]) {
    precondition(!inputs.isEmpty, "concat needs at least one input")
    self.inputs = inputs
    let channels = inputs.map(\.channelCount).max() ?? 1
    scratch = AudioBuffer(channelCount: channels, capacity: inputs[0].context.blockSize)
    let lengths = inputs.compactMap(\.frameCount)
    super.init(
      sampleRate: inputs[0].sampleRate, channelCount: channels,
      frameCount: lengths.count == inputs.count
        ? lengths.reduce(Optional(0)) { sum, length in
          sum.flatMap { value in
            let (total, overflow) = value.addingReportingOverflow(length)
            return overflow ? nil : total
          }
        } : nil,
      context: inputs[0].context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    var filled = 0
    while filled < frames, current < inputs.count {
      let input = inputs[current]
      let count = try await input.render(into: scratch, frames: frames - filled)
      for channel in 0..<channelCount {
        let source: UnsafeMutablePointer<Float>
        if input.channelCount == 1 {
          source = scratch.channel(0)
        } else if channel < input.channelCount {
          source = scratch.channel(channel)
        } else {
          (buffer.channel(channel) + filled).update(repeating: 0, count: count)
          continue
        }
        (buffer.channel(channel) + filled).update(from: source, count: count)
      }
      filled += count
      if count < frames - (filled - count) { current += 1 }
    }
    return filled
  }
}

/// Frames `[start, end)` of a signal, clamped to it.
public final class SliceNode: AudioNode {
  private let input: AudioNode
  private let start: Int
  private let end: Int
  private let scratch: AudioBuffer
  private var position = 0

  /// The part of `input` from frame `start` up to, not including, frame `end`.
  public init(_ input: AudioNode, start: Int, end: Int) {
    let first = max(0, start)
    var stop = max(first, end)
    if let total = input.frameCount { stop = min(stop, total) }
    self.input = input
    self.start = first
    self.end = stop
    scratch = input.makeBuffer()
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: input.frameCount.map { max(0, min($0, stop) - min($0, first)) },
      context: input.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    while position < start {
      try context.cancellation.check()
      let skipped = try await input.render(
        into: scratch, frames: min(context.blockSize, start - position))
      if skipped == 0 { return 0 }
      position += skipped
    }
    let wanted = min(frames, end - position)
    guard wanted > 0 else { return 0 }
    let count = try await input.render(into: buffer, frames: wanted)
    position += count
    return count
  }
}

/// A signal `count` times in a row, each time from a fresh copy of its graph, so that
/// nothing is held in memory.
public final class RepeatNode: AudioNode {
  private let factory: NodeFactory
  private let count: Int
  private var done = 0
  private var current: AudioNode?
  private let scratch: AudioBuffer

  /// Plays the signal made by `factory` `count` times.
  public static func make(factory: @escaping NodeFactory, count: Int) async throws -> RepeatNode {
    RepeatNode(factory: factory, first: try await factory(), count: count)
  }

  private init(factory: @escaping NodeFactory, first: AudioNode, count: Int) {
    self.factory = factory
    self.count = count
    current = count > 0 ? first : nil
    scratch = first.makeBuffer()
    super.init(
      sampleRate: first.sampleRate, channelCount: first.channelCount,
      frameCount: first.frameCount.flatMap { length in
        let (total, overflow) = length.multipliedReportingOverflow(by: count)
        return overflow ? nil : total
      }, context: first.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    var filled = 0
    while filled < frames, let node = current {
      let wanted = frames - filled
      let got = try await node.render(into: scratch, frames: wanted)
      for channel in 0..<channelCount {
        (buffer.channel(channel) + filled).update(from: scratch.channel(channel), count: got)
      }
      filled += got
      if got < wanted {
        done += 1
        current = done < count ? try await factory() : nil
      }
    }
    return filled
  }
}

/// A signal passed on unchanged while something watches each block (writing it to a
/// file, summarising it), with a last call when it ends.
public final class TapNode: AudioNode {
  /// Passes `input` on, drawing each block into `picture` and writing it to `path` at
  /// the end (`plot`, `spectrogram`, `ast run --plot`). Errors name the file
  /// `displayPath` (`path` when `nil`), and `naming` turns a failure to write it into the
  /// error thrown.
  public convenience init(
    _ input: AudioNode, drawing picture: some SignalPicture, to path: String,
    displayPath: String? = nil, naming: @escaping (any Error) -> any Error = { $0 }
  ) {
    self.init(
      input, onBlock: { buffer, count in picture.add(buffer, frames: count) },
      onEnd: {
        do {
          try picture.write(to: path, displayPath: displayPath ?? path)
        } catch {
          throw naming(error)
        }
      })
  }

  private let input: AudioNode
  private let onBlock: (AudioBuffer, Int) throws -> Void
  private let onEnd: () async throws -> Void
  private var ended = false
  private var passed = 0

  /// Passes `input` on, calling `onBlock` for each block and `onEnd` once at the end:
  /// when the input runs short, or when its known length has passed (consumers that
  /// know the length stop pulling exactly there).
  public init(
    _ input: AudioNode, onBlock: @escaping (AudioBuffer, Int) throws -> Void,
    onEnd: @escaping () async throws -> Void
  ) {
    self.input = input
    self.onBlock = onBlock
    self.onEnd = onEnd
    super.init(sameFormatAs: input)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    guard !ended else { return 0 }
    let count = try await input.render(into: buffer, frames: frames)
    if count > 0 { try onBlock(buffer, count) }
    passed += count
    if count < frames || passed == frameCount {
      ended = true
      try await onEnd()
    }
    return count
  }
}

/// Silence before and after a signal.
public final class PadNode: AudioNode {
  private let input: AudioNode
  private let before: Int
  private let after: Int
  private var position = 0
  private var inputEnded = false
  private var trailing = 0
  private let scratch: AudioBuffer

  /// `before` frames of silence, `input`, then `after` frames of silence.
  public init(_ input: AudioNode, before: Int, after: Int) {
    self.input = input
    self.before = before
    self.after = after
    scratch = input.makeBuffer()
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: input.frameCount.map { $0 + before + after }, context: input.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    var filled = 0
    if position < before {
      let silent = min(frames, before - position)
      buffer.clear(from: 0, to: silent)
      position += silent
      filled = silent
    }
    if filled < frames, !inputEnded {
      let wanted = frames - filled
      if filled == 0 {
        let got = try await input.render(into: buffer, frames: wanted)
        filled += got
        if got < wanted { inputEnded = true }
      } else {
        let got = try await input.render(into: scratch, frames: wanted)
        for channel in 0..<channelCount {
          (buffer.channel(channel) + filled).update(from: scratch.channel(channel), count: got)
        }
        filled += got
        if got < wanted { inputEnded = true }
      }
    }
    if filled < frames, inputEnded, trailing < after {
      let silent = min(frames - filled, after - trailing)
      buffer.clear(from: filled, to: filled + silent)
      trailing += silent
      filled += silent
    }
    return filled
  }
}

/// `y` added onto `x` from frame `at`, cut to `x`'s length.
public final class OverlayNode: AudioNode {
  private let base: AudioNode
  private let top: AudioNode
  private let at: Int
  private let topBuffer: AudioBuffer
  private var position = 0
  private var topEnded = false

  /// Lays `top` over `base` from frame `at`.
  public init(_ base: AudioNode, _ top: AudioNode, at: Int) {
    self.base = base
    self.top = top
    self.at = max(0, at)
    topBuffer = top.makeBuffer()
    super.init(
      sampleRate: base.sampleRate, channelCount: max(base.channelCount, top.channelCount),
      frameCount: base.frameCount, context: base.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let count = try await base.render(into: buffer, frames: frames)
    guard count > 0 else { return 0 }
    if base.channelCount == 1, channelCount > 1 {
      for channel in 1..<channelCount {
        buffer.channel(channel).update(from: buffer.channel(0), count: count)
      }
    }
    let blockEnd = position + count
    if !topEnded, blockEnd > at {
      let offset = max(0, at - position)
      let wanted = count - offset
      let got = try await top.render(into: topBuffer, frames: wanted)
      if got < wanted { topEnded = true }
      for channel in 0..<channelCount {
        let x = buffer.channel(channel) + offset
        let y = topBuffer.channel(top.channelCount == 1 ? 0 : min(channel, top.channelCount - 1))
        for index in 0..<got { x[index] += y[index] }
      }
    }
    position = blockEnd
    return count
  }
}

/// A whole signal rendered into memory, then played from there; the one place where a
/// whole signal is held (reverse, normalize, envelopes of signals of unknown length).
public final class MaterializedNode: AudioNode {
  private var channels: [[Float]]
  private var position = 0
  private let reversed: Bool
  private let scale: Float

  /// Renders all of `input` now.
  ///
  /// - Parameters:
  ///   - reversed: play it backwards.
  ///   - normalizeTo: scale so the largest absolute sample is this (silence stays silent).
  public static func make(
    _ input: AudioNode, reversed: Bool = false, normalizeTo peak: Double? = nil
  ) async throws -> MaterializedNode {
    let context = input.context
    let purpose = "'\(reversed ? "reverse" : "normalize")' holds the whole signal"
    if let frames = input.frameCount {
      try context.checkMemory(
        frames: frames, channels: input.channelCount, width: 4, for: purpose)
    }
    var channels = [[Float]](repeating: [], count: input.channelCount)
    let buffer = input.makeBuffer()
    var largest: Float = 0
    var held = 0
    while true {
      try context.cancellation.check()
      let count = try await input.render(into: buffer, frames: context.blockSize)
      // A signal of unknown length is measured as it comes.
      held += count
      try context.checkMemory(frames: held, channels: input.channelCount, width: 4, for: purpose)
      for channel in 0..<input.channelCount {
        let samples = UnsafeBufferPointer(start: buffer.channel(channel), count: count)
        channels[channel].append(contentsOf: samples)
        if peak != nil {
          for sample in samples { largest = max(largest, abs(sample)) }
        }
      }
      if count < input.context.blockSize { break }
    }
    var scale: Float = 1
    if let peak, largest > 0 { scale = Float(peak) / largest }
    return MaterializedNode(input: input, channels: channels, reversed: reversed, scale: scale)
  }

  private init(input: AudioNode, channels: [[Float]], reversed: Bool, scale: Float) {
    self.channels = channels
    self.reversed = reversed
    self.scale = scale
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: channels.first?.count ?? 0, context: input.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let total = frameCount ?? 0
    let count = min(frames, total - position)
    guard count > 0 else { return 0 }
    for channel in 0..<channelCount {
      let output = buffer.channel(channel)
      channels[channel].withUnsafeBufferPointer { samples in
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
        interleaved.reserveCapacity(count * channels)
        for frame in 0..<count {
          for channel in 0..<channels { interleaved.append(inputBuffer.channel(channel)[frame]) }
        }
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

/// An audio file read block by block through libsndfile, as Float samples.
public final class FileReaderNode: AudioNode {
  private let reader: AudioFileReader
  /// Frames read from the file at once: many blocks' worth, so that reading costs few
  /// system calls.
  private let readFrames: Int
  private var interleaved: [Float]
  /// 16-bit PCM files are read as integers and converted in one pass with the
  /// deinterleaving, rather than converted by libsndfile and then deinterleaved.
  private var shorts: [Int16]
  /// Frames read and not yet rendered: `cursor..<available` of the read buffer.
  private var cursor = 0
  private var available = 0
  private var position = 0

  /// Opens `path`.
  ///
  /// - Throws: ``ASTCore/AudioFileError`` naming the file.
  public init(path: String, context: RenderContext) throws {
    reader = try AudioFileReader(path: path)
    readFrames = max(context.blockSize, 16_384)
    let samples = readFrames * reader.info.channelCount
    let readsShorts =
      reader.info.encoding == .int16 && [.wav, .aiff].contains(reader.info.format)
    interleaved = readsShorts ? [] : [Float](repeating: 0, count: samples)
    shorts = readsShorts ? [Int16](repeating: 0, count: samples) : []
    super.init(
      sampleRate: reader.info.sampleRate, channelCount: reader.info.channelCount,
      frameCount: reader.info.format == .mp3 || reader.info.format == nil
        ? nil : reader.info.frameCount, context: context)
  }

  private func refill() throws {
    cursor = 0
    if interleaved.isEmpty {
      available = try shorts.withUnsafeMutableBufferPointer {
        try reader.read(into: $0.baseAddress!, frames: readFrames)
      }
    } else {
      available = try interleaved.withUnsafeMutableBufferPointer {
        try reader.read(into: $0.baseAddress!, frames: readFrames)
      }
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let channels = channelCount
    var count = 0
    while count < frames {
      if cursor == available {
        try refill()
        if available == 0 { break }
      }
      let run = min(frames - count, available - cursor)
      if interleaved.isEmpty {
        shorts.withUnsafeBufferPointer { samples in
          buffer.deinterleave(
            int16: samples.baseAddress! + cursor * channels, frames: run, channels: channels,
            at: count)
        }
      } else {
        buffer.deinterleave(
          interleaved, from: cursor * channels, frames: run, channels: channels, at: count)
      }
      cursor += run
      count += run
    }
    if let total = frameCount, count < frames, position + count < total {
      // A file that ends before the length its header declares is damaged; nodes that
      // rely on the length (fades, envelopes) would be wrong with a shorter signal.
      throw RenderError.failed(
        "cannot read '\(reader.path)': the file ended after \(position + count) of the "
          + "\(total) frames its header declares")
    }
    position += count
    return count
  }
}
