import Foundation

extension AudioSegment {
  // MARK: Level

  /// Converts decibels to a linear gain: `10^(db / 20)`.
  public static func linearGain(decibels: Double) -> Double {
    pow(10, decibels / 20)
  }

  /// Converts a linear ratio to decibels: `20 log10(ratio)`; `-inf` for 0.
  public static func decibels(ratio: Double) -> Double {
    ratio > 0 ? 20 * log10(ratio) : -Double.infinity
  }

  /// The segment with its level changed by `decibels` (negative is quieter).
  public func applyingGain(decibels: Double) -> AudioSegment {
    scaled(by: Self.linearGain(decibels: decibels))
  }

  /// The segment with every sample multiplied by `factor`.
  public func scaled(by factor: Double) -> AudioSegment {
    replacingSamples(samples().map { $0 * factor })
  }

  /// The largest absolute sample, where full scale is 1.0.
  public var peak: Double {
    samples().reduce(0) { max($0, abs($1)) }
  }

  /// The root mean square of all samples of all channels, where full scale is 1.0.
  public var rms: Double {
    let values = samples()
    guard !values.isEmpty else { return 0 }
    return (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
  }

  /// The peak in decibels relative to full scale; `-inf` for silence.
  public var peakDBFS: Double { Self.decibels(ratio: peak) }

  /// The RMS level in decibels relative to full scale; `-inf` for silence.
  public var rmsDBFS: Double { Self.decibels(ratio: rms) }

  /// The segment scaled so that its peak is `peakDBFS` (silence stays silent).
  public func normalized(peakDBFS target: Double = 0) -> AudioSegment {
    let current = peak
    guard current > 0 else { return self }
    return scaled(by: Self.linearGain(decibels: target) / current)
  }

  // MARK: Time

  /// The frames between two times in milliseconds, like a Python slice.
  ///
  /// A negative time counts from the end; times are rounded to the nearest frame and
  /// clamped to the segment, and an empty range gives an empty segment. `nil` bounds
  /// mean the start and the end.
  public func slice(fromMilliseconds start: Double? = nil, toMilliseconds end: Double? = nil)
    -> AudioSegment
  {
    func resolve(_ time: Double?, default fallback: Int) -> Int {
      guard let time else { return fallback }
      let index = frameIndex(milliseconds: time)
      return min(max(index < 0 ? frameCount + index : index, 0), frameCount)
    }
    let lower = resolve(start, default: 0)
    let upper = resolve(end, default: frameCount)
    return frames(lower..<max(lower, upper))
  }

  /// The segment followed by `other`, optionally cross-faded.
  ///
  /// The two are first brought to a common format (see
  /// ``synchronized(with:)``). With a cross-fade of `d` milliseconds (`n` frames) the
  /// last `d` of this segment and the first `d` of `other` are mixed with linear,
  /// complementary gains (frame `i` takes `(n - i) / n` of one and `i / n` of the
  /// other), so the result is `d` shorter than the sum.
  ///
  /// - Throws: ``AudioStreamError/invalidParameter(_:)`` when the cross-fade is
  ///   negative or longer than either segment, or when the formats cannot be matched.
  public func appending(_ other: AudioSegment, crossfadeMilliseconds: Double = 0) throws
    -> AudioSegment
  {
    let (first, second) = try synchronized(with: other)
    let fadeFrames = first.frameIndex(milliseconds: crossfadeMilliseconds)
    guard fadeFrames >= 0, crossfadeMilliseconds.isFinite else {
      throw AudioStreamError.invalidParameter("cross-fade must be a non-negative duration")
    }
    guard fadeFrames <= first.frameCount, fadeFrames <= second.frameCount else {
      throw AudioStreamError.invalidParameter(
        "cross-fade of \(crossfadeMilliseconds) ms is longer than a segment "
          + "(\(first.durationMilliseconds) ms and \(second.durationMilliseconds) ms)")
    }
    if fadeFrames == 0 {
      return AudioSegment(
        unchecked: first.data + second.data, encoding: first.encoding,
        sampleRate: first.sampleRate, channelCount: first.channelCount)
    }
    let head = first.frames(0..<(first.frameCount - fadeFrames))
    let tail = first.frames((first.frameCount - fadeFrames)..<first.frameCount)
    let intro = second.frames(0..<fadeFrames)
    let rest = second.frames(fadeFrames..<second.frameCount)
    // Complementary gains: frame i gets (n - i) / n of the tail and i / n of the intro,
    // so a steady signal stays steady through the cross-fade.
    let tailSamples = tail.samples()
    let introSamples = intro.samples()
    let channels = first.channelCount
    var mixed = [Double](repeating: 0, count: tailSamples.count)
    for index in mixed.indices {
      let gain = Double(index / channels) / Double(fadeFrames)
      mixed[index] = tailSamples[index] * (1 - gain) + introSamples[index] * gain
    }
    let blended = tail.replacingSamples(mixed)
    return AudioSegment(
      unchecked: head.data + blended.data + rest.data, encoding: first.encoding,
      sampleRate: first.sampleRate, channelCount: first.channelCount)
  }

  /// Concatenates two segments; see ``appending(_:crossfadeMilliseconds:)``.
  public static func + (lhs: AudioSegment, rhs: AudioSegment) throws -> AudioSegment {
    try lhs.appending(rhs)
  }

  /// The segment `count` times in a row.
  ///
  /// - Throws: ``AudioStreamError/invalidParameter(_:)`` for a negative count.
  public func repeated(_ count: Int) throws -> AudioSegment {
    guard count >= 0 else {
      throw AudioStreamError.invalidParameter("repeat count must not be negative, got \(count)")
    }
    let (total, overflow) = data.count.multipliedReportingOverflow(by: count)
    guard !overflow, total < Int(Int32.max) * 64 else {
      throw AudioStreamError.invalidParameter(
        "repeating \(durationSeconds) s \(count) times is too long to hold in memory")
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(total)
    for _ in 0..<count { bytes.append(contentsOf: data) }
    return AudioSegment(
      unchecked: bytes, encoding: encoding, sampleRate: sampleRate, channelCount: channelCount)
  }

  /// The segment played backwards (frame order reversed, channels kept).
  public func reversed() -> AudioSegment {
    let width = frameWidth
    let count = frameCount
    let bytes = [UInt8](unsafeUninitializedCapacity: data.count) { output, initialized in
      data.withUnsafeBufferPointer { input in
        for frame in 0..<count {
          let source = (count - 1 - frame) * width
          for byte in 0..<width { output[frame * width + byte] = input[source + byte] }
        }
      }
      initialized = data.count
    }
    return AudioSegment(
      unchecked: bytes, encoding: encoding, sampleRate: sampleRate, channelCount: channelCount)
  }

  /// `other` mixed onto this segment from `atMilliseconds`; the result keeps this
  /// segment's length and format (integer encodings clip the sum).
  ///
  /// `other` is first resampled to this segment's rate and brought to its channel
  /// count (to or from mono).
  ///
  /// - Throws: ``AudioStreamError/invalidParameter(_:)`` when the channel counts cannot
  ///   be matched or the position is negative.
  public func overlaying(_ other: AudioSegment, atMilliseconds position: Double = 0) throws
    -> AudioSegment
  {
    guard position >= 0, position.isFinite else {
      throw AudioStreamError.invalidParameter(
        "overlay position must be a non-negative time, got \(position) ms")
    }
    let base = self
    let top = try other.resampled(to: sampleRate).withChannelCount(channelCount)
    let start = base.frameIndex(milliseconds: position)
    var mixed = base.samples()
    let added = top.samples()
    let channels = base.channelCount
    let overlap = max(0, min(top.frameCount, base.frameCount - start))
    for index in 0..<(overlap * channels) {
      mixed[start * channels + index] += added[index]
    }
    return base.replacingSamples(mixed)
  }

  /// The segment with a linear fade from silence over its first `milliseconds`.
  ///
  /// Frame `i` of an `n`-frame fade is scaled by `i / n`.
  public func fadingIn(milliseconds: Double) -> AudioSegment {
    let count = min(max(frameIndex(milliseconds: milliseconds), 0), frameCount)
    return fading(frames: count, direction: .in)
  }

  /// The segment with a linear fade to silence over its last `milliseconds`.
  ///
  /// Frame `k` of the last `n` is scaled by `(n - 1 - k) / n`: the mirror of
  /// ``fadingIn(milliseconds:)``.
  public func fadingOut(milliseconds: Double) -> AudioSegment {
    let count = min(max(frameIndex(milliseconds: milliseconds), 0), frameCount)
    return fading(frames: count, direction: .out)
  }

  enum FadeDirection {
    case `in`
    case out
  }

  /// Applies a linear fade over `count` frames at the start (in) or end (out).
  func fading(frames count: Int, direction: FadeDirection) -> AudioSegment {
    guard count > 0 else { return self }
    var values = samples()
    let channels = channelCount
    let firstFrame = direction == .in ? 0 : frameCount - count
    for step in 0..<count {
      let gain =
        direction == .in ? Double(step) / Double(count) : Double(count - 1 - step) / Double(count)
      let base = (firstFrame + step) * channels
      for channel in 0..<channels { values[base + channel] *= gain }
    }
    return replacingSamples(values)
  }

  // MARK: Format

  /// The segment stored in another encoding (sample width or integer/float).
  ///
  /// Widening is exact. Narrowing one integer width to another drops low bits (floor
  /// division, as the contract's Int32 to Int16 rule and pydub do); floats become
  /// integers by the float-to-int rule (scale, clip, truncate toward zero).
  public func converted(to newEncoding: SampleEncoding) -> AudioSegment {
    guard newEncoding != encoding else { return self }
    if !encoding.isFloat, !newEncoding.isFloat, newEncoding.sampleWidth < encoding.sampleWidth {
      return narrowedIntegers(to: newEncoding)
    }
    return AudioSegment(
      unchecked: SampleCodec.encode(samples(), encoding: newEncoding), encoding: newEncoding,
      sampleRate: sampleRate, channelCount: channelCount)
  }

  /// Integer narrowing by an arithmetic shift: the floor of `value / 2^(bits dropped)`.
  private func narrowedIntegers(to newEncoding: SampleEncoding) -> AudioSegment {
    let shift = 8 * (encoding.sampleWidth - newEncoding.sampleWidth)
    let oldWidth = encoding.sampleWidth
    let newWidth = newEncoding.sampleWidth
    let count = data.count / oldWidth
    let bytes = [UInt8](unsafeUninitializedCapacity: count * newWidth) { output, initialized in
      data.withUnsafeBufferPointer { input in
        for index in 0..<count {
          // Assemble the little-endian value left-justified in 32 bits, then shift down.
          var bits: UInt32 = 0
          for byte in 0..<oldWidth {
            bits |= UInt32(input[index * oldWidth + byte]) << (8 * (4 - oldWidth + byte))
          }
          let value = Int32(bitPattern: bits) >> (8 * (4 - oldWidth) + shift)
          for byte in 0..<newWidth {
            output[index * newWidth + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte))
          }
        }
      }
      initialized = count * newWidth
    }
    return AudioSegment(
      unchecked: bytes, encoding: newEncoding, sampleRate: sampleRate, channelCount: channelCount)
  }

  /// The segment with a new sample width in bytes: 1 to 4 are integers.
  ///
  /// - Throws: ``AudioStreamError/unsupportedSampleWidth(_:)`` for another width.
  public func withSampleWidth(_ width: Int) throws -> AudioSegment {
    guard let target = SampleEncoding(integerWidth: width) else {
      throw AudioStreamError.unsupportedSampleWidth(width)
    }
    return converted(to: target)
  }

  /// The segment with another channel count.
  ///
  /// Mono becomes `n` channels by copying; `n` channels become mono by their mean.
  ///
  /// - Throws: ``AudioStreamError/invalidParameter(_:)`` for other changes (such as
  ///   stereo to 5 channels) and for a count below 1.
  public func withChannelCount(_ newCount: Int) throws -> AudioSegment {
    try ProcessingContext.validate(sampleRate: sampleRate, channelCount: newCount)
    guard newCount != channelCount else { return self }
    let values = samples()
    let frames = frameCount
    var result = [Double](repeating: 0, count: frames * newCount)
    if channelCount == 1 {
      for frame in 0..<frames {
        for channel in 0..<newCount { result[frame * newCount + channel] = values[frame] }
      }
    } else if newCount == 1 {
      let scale = 1 / Double(channelCount)
      for frame in 0..<frames {
        var sum = 0.0
        for channel in 0..<channelCount { sum += values[frame * channelCount + channel] }
        result[frame] = sum * scale
      }
    } else {
      throw AudioStreamError.invalidParameter(
        "cannot change \(channelCount) channels to \(newCount): only to or from mono")
    }
    return AudioSegment(
      unchecked: SampleCodec.encode(result, encoding: encoding), encoding: encoding,
      sampleRate: sampleRate, channelCount: newCount)
  }

  /// One mono segment per channel.
  public func splitToMono() -> [AudioSegment] {
    let values = samples()
    let channels = channelCount
    return (0..<channels).map { channel in
      let mono = stride(from: channel, to: values.count, by: channels).map { values[$0] }
      return AudioSegment(
        unchecked: SampleCodec.encode(mono, encoding: encoding), encoding: encoding,
        sampleRate: sampleRate, channelCount: 1)
    }
  }

  /// A multichannel segment from mono segments of one format and length, in order.
  ///
  /// - Throws: ``AudioStreamError/invalidParameter(_:)`` when the list is empty or the
  ///   segments differ in format or length, or one is not mono.
  public static func interleaving(_ monos: [AudioSegment]) throws -> AudioSegment {
    guard let first = monos.first else {
      throw AudioStreamError.invalidParameter("interleaving needs at least one segment")
    }
    for mono in monos {
      guard mono.channelCount == 1, mono.encoding == first.encoding,
        mono.sampleRate == first.sampleRate, mono.frameCount == first.frameCount
      else {
        throw AudioStreamError.invalidParameter(
          "interleaving needs mono segments of one encoding, rate and length")
      }
    }
    let width = first.sampleWidth
    let channels = monos.count
    var bytes = [UInt8](repeating: 0, count: first.data.count * channels)
    for (channel, mono) in monos.enumerated() {
      for frame in 0..<first.frameCount {
        let target = (frame * channels + channel) * width
        for byte in 0..<width { bytes[target + byte] = mono.data[frame * width + byte] }
      }
    }
    return AudioSegment(
      unchecked: bytes, encoding: first.encoding, sampleRate: first.sampleRate,
      channelCount: channels)
  }

  /// The segment resampled to `newRate` with libsoxr at very high quality.
  ///
  /// The result has `round(frames * newRate / sampleRate)` frames.
  ///
  /// - Throws: ``AudioStreamError/invalidParameter(_:)`` for a rate below 1, or a
  ///   ``ResamplerError`` when libsoxr fails.
  public func resampled(to newRate: Int) throws -> AudioSegment {
    try ProcessingContext.validate(sampleRate: newRate, channelCount: channelCount)
    guard newRate != sampleRate else { return self }
    let frames = (Double(frameCount) * Double(newRate) / Double(sampleRate)).rounded()
    guard frames * Double(channelCount) < Double(Int32.max) * 8 else {
      throw AudioStreamError.invalidParameter(
        "resampling \(durationSeconds) s to \(newRate) Hz is too long to hold in memory")
    }
    let resampler = try Resampler<Double>(
      inputRate: Double(sampleRate), outputRate: Double(newRate), channelCount: channelCount)
    let output = try resampler.resampleAll(samples())
    return AudioSegment(
      unchecked: SampleCodec.encode(output, encoding: encoding), encoding: encoding,
      sampleRate: newRate, channelCount: channelCount)
  }

  /// This segment and `other` brought to a common format: the higher sample rate, the
  /// larger channel count and the wider encoding (any float encoding wins over
  /// integers).
  ///
  /// - Throws: when the channel counts cannot be matched (neither is mono) or
  ///   resampling fails.
  public func synchronized(with other: AudioSegment) throws -> (AudioSegment, AudioSegment) {
    let rate = max(sampleRate, other.sampleRate)
    let channels = max(channelCount, other.channelCount)
    let encoding = Self.widerEncoding(encoding, other.encoding)
    func conform(_ segment: AudioSegment) throws -> AudioSegment {
      try segment.converted(to: encoding).withChannelCount(channels).resampled(to: rate)
    }
    return (try conform(self), try conform(other))
  }

  static func widerEncoding(_ a: SampleEncoding, _ b: SampleEncoding) -> SampleEncoding {
    if a == .float64 || b == .float64 { return .float64 }
    if a == .float32 || b == .float32 { return .float32 }
    return a.sampleWidth >= b.sampleWidth ? a : b
  }
}
