import ASTCore
import Foundation

/// Levels and length of a rendered signal, gathered block by block.
public struct SignalSummary: Sendable, Equatable {
  /// Frames per second.
  public var sampleRate: Int
  /// Channels.
  public var channelCount: Int
  /// Frames seen.
  public var frameCount: Int = 0
  /// The largest absolute sample.
  public var peak: Float = 0
  /// The sum of squared samples over all channels.
  public var sumOfSquares: Double = 0
  /// For a stream: the number of chunks, else `nil`.
  public var chunkCount: Int?
  /// For a stream: the duration of its first chunk in seconds.
  public var chunkDuration: Double?

  /// An empty summary.
  public init(sampleRate: Int, channelCount: Int) {
    self.sampleRate = sampleRate
    self.channelCount = channelCount
  }

  /// Adds `count` frames of planar samples.
  public mutating func add(_ buffer: AudioBuffer, frames count: Int) {
    for channel in 0..<min(channelCount, buffer.channelCount) {
      let samples = buffer.channel(channel)
      var largest = peak
      var squares = 0.0
      for index in 0..<count {
        let sample = samples[index]
        largest = max(largest, abs(sample))
        squares += Double(sample) * Double(sample)
      }
      peak = largest
      sumOfSquares += squares
    }
    frameCount += count
  }

  /// Adds a chunk's frames.
  public mutating func add(chunk: AudioStream) {
    guard let samples = try? ChunkCodec.samples(chunk) else { return }
    for sample in samples {
      peak = max(peak, abs(sample))
      sumOfSquares += Double(sample) * Double(sample)
    }
    frameCount += samples.count / max(chunk.channelCount, 1)
  }

  /// The length in seconds.
  public var durationSeconds: Double {
    sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0
  }

  /// The peak in dBFS (`-inf` for silence).
  public var peakDBFS: Double { AudioSegment.decibels(ratio: Double(peak)) }

  /// The RMS level in dBFS (`-inf` for silence).
  public var rmsDBFS: Double {
    let samples = frameCount * channelCount
    guard samples > 0 else { return -.infinity }
    return AudioSegment.decibels(ratio: (sumOfSquares / Double(samples)).squareRoot())
  }

  /// One line: `Audio(48000 Hz, stereo) 2.000 s, peak -6.02 dBFS, RMS -9.03 dBFS`; for a
  /// stream the chunks come first: `Stream(...) 4 chunks of 0.500 s, 2.000 s, ...`.
  public var line: String {
    let facts = NumberText.rateAndChannels(sampleRate: sampleRate, channelCount: channelCount)
    var text = chunkCount == nil ? "Audio(\(facts))" : "Stream(\(facts))"
    if let chunkCount {
      text += " \(chunkCount) chunk\(chunkCount == 1 ? "" : "s")"
      if let chunkDuration { text += " of \(NumberText.seconds(chunkDuration)) s" }
      text += ","
    }
    text +=
      " \(NumberText.seconds(durationSeconds)) s, "
      + NumberText.levels(peakDBFS: peakDBFS, rmsDBFS: rmsDBFS)
    return text
  }
}
