import Foundation
import Synchronization

/// A waveform picture drawn while a signal renders: the min/max envelope of each
/// channel in its own lane, on a linear scale or in dBFS (-60 to 0), over a time axis
/// in seconds, written as a PNG.
///
/// Blocks are reduced to min/max pairs of 256 frames as they pass, so a long signal
/// takes little memory; at the end the pairs are gathered into one column per pixel.
public final class WaveformPicture: Sendable {
  /// The picture's width in pixels.
  public let width: Int
  /// The height of each channel's lane in pixels.
  public let laneHeight: Int
  private let channelCount: Int
  private let sampleRate: Int
  private let decibels: Bool
  private static let bucket = 256
  private struct State {
    var minima: [[Float]]
    var maxima: [[Float]]
    var current: [(Float, Float)]
    var filled = 0
    var frames = 0
  }
  private let state: Mutex<State>
  /// The picture's memory in the run's budget, if it is counted in one.
  private let memory: MemoryReservation?
  /// The bytes counted for the picture's pixels.
  private let canvasBytes: Int

  /// The picture's height in pixels: the lanes and the time axis.
  public var height: Int { laneHeight * channelCount + TimeAxis.height }

  /// An empty picture for a signal with `channelCount` channels; with `decibels`, the
  /// envelope is drawn in dBFS from -60 (the middle line) to 0 (the lane's edge).
  ///
  /// With `memory`, the picture's pixels are counted in it at once, without being
  /// refused (the builder's ``MemoryBudget/requireWithinLimit(origin:)`` refuses them),
  /// and the envelope as it grows (``add(_:frames:)`` refuses that).
  public init(
    sampleRate: Int, channelCount: Int, width: Int = 1200, laneHeight: Int = 200,
    decibels: Bool = false, memory: MemoryBudget? = nil
  ) {
    canvasBytes = width * (laneHeight * channelCount + TimeAxis.height) * 3
    self.memory = memory?.charging(canvasBytes, for: .part("the picture"))
    self.width = width
    self.sampleRate = sampleRate
    self.decibels = decibels
    self.laneHeight = laneHeight
    self.channelCount = channelCount
    state = Mutex(
      State(
        minima: Array(repeating: [], count: channelCount),
        maxima: Array(repeating: [], count: channelCount),
        current: Array(repeating: (Float.infinity, -Float.infinity), count: channelCount)))
  }

  /// Adds a block of frames.
  ///
  /// - Throws: ``MemoryLimitError`` when the picture's memory is counted and the run
  ///   has no room for the envelope to grow.
  public func add(_ buffer: AudioBuffer, frames: Int) throws {
    try state.withLock { state in
      let kept = state.minima.isEmpty ? 0 : state.minima[0].count
      if let memory, !state.minima.isEmpty,
        let capacity = try memory.room(
          for: kept + (state.filled + frames) / Self.bucket, capacity: state.minima[0].capacity,
          width: 8 * channelCount, besides: canvasBytes)
      {
        for channel in 0..<channelCount {
          state.minima[channel].reserveCapacity(capacity)
          state.maxima[channel].reserveCapacity(capacity)
        }
      }
      for frame in 0..<frames {
        for channel in 0..<channelCount {
          let sample = buffer.channel(channel)[frame]
          state.current[channel].0 = min(state.current[channel].0, sample)
          state.current[channel].1 = max(state.current[channel].1, sample)
        }
        state.filled += 1
        state.frames += 1
        if state.filled == Self.bucket { Self.close(&state, channels: channelCount) }
      }
    }
  }

  private static func close(_ state: inout State, channels: Int) {
    for channel in 0..<channels {
      state.minima[channel].append(state.current[channel].0)
      state.maxima[channel].append(state.current[channel].1)
      state.current[channel] = (Float.infinity, -Float.infinity)
    }
    state.filled = 0
  }

  /// The picture as RGB pixels, row by row.
  public func pixels() -> [UInt8] {
    let (minima, maxima, frames) = state.withLock { state -> ([[Float]], [[Float]], Int) in
      if state.filled > 0 { Self.close(&state, channels: channelCount) }
      return (state.minima, state.maxima, state.frames)
    }
    var canvas = PictureCanvas(width: width, height: height, background: (255, 255, 255))
    for channel in 0..<channelCount {
      let top = channel * laneHeight
      let middle = top + laneHeight / 2
      for x in 0..<width { canvas.paint(x, middle, (200, 200, 200)) }
      if channel > 0 { for x in 0..<width { canvas.paint(x, top, (120, 120, 120)) } }
      let count = minima[channel].count
      guard count > 0 else { continue }
      for x in 0..<width {
        let first = x * count / width
        let last = max(first + 1, (x + 1) * count / width)
        var low: Float = 0
        var high: Float = 0
        for index in first..<min(last, count) {
          low = min(low, minima[channel][index])
          high = max(high, maxima[channel][index])
        }
        let half = Float(laneHeight / 2 - 2)
        let y0 = middle - Int((scaled(min(high, 1)) * half).rounded())
        let y1 = middle - Int((scaled(max(low, -1)) * half).rounded())
        for y in y0...max(y0, y1) { canvas.paint(x, y, (30, 90, 200)) }
      }
    }
    TimeAxis.draw(
      into: &canvas, top: laneHeight * channelCount,
      duration: Double(frames) / Double(sampleRate))
    return canvas.pixels
  }

  /// A sample's distance from the middle line, as a fraction of the half lane.
  private func scaled(_ value: Float) -> Float {
    guard decibels else { return value }
    let level = 20 * log10(max(abs(value), 1e-6))
    let fraction = max(0, (level + 60) / 60)
    return value < 0 ? -fraction : fraction
  }

  /// Writes the picture as a PNG file, atomically; errors name it `displayPath`.
  public func write(to path: String, displayPath: String) throws {
    try PictureFile.writePNG(
      rgb: pixels(), width: width, height: height, to: path, displayPath: displayPath)
  }
}
