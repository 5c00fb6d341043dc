import Foundation
import Synchronization

/// A waveform picture drawn while a signal renders: the min/max envelope of each
/// channel in its own lane, written as a PNG.
///
/// Blocks are reduced to min/max pairs of 256 frames as they pass, so a long signal
/// takes little memory; at the end the pairs are gathered into one column per pixel.
public final class WaveformPicture: Sendable {
  /// The picture's width in pixels.
  public let width: Int
  /// The height of each channel's lane in pixels.
  public let laneHeight: Int
  private let channelCount: Int
  private static let bucket = 256
  private struct State {
    var minima: [[Float]]
    var maxima: [[Float]]
    var current: [(Float, Float)]
    var filled = 0
  }
  private let state: Mutex<State>

  /// An empty picture for a signal with `channelCount` channels.
  public init(sampleRate: Int, channelCount: Int, width: Int = 1200, laneHeight: Int = 200) {
    self.width = width
    self.laneHeight = laneHeight
    self.channelCount = channelCount
    state = Mutex(
      State(
        minima: Array(repeating: [], count: channelCount),
        maxima: Array(repeating: [], count: channelCount),
        current: Array(repeating: (Float.infinity, -Float.infinity), count: channelCount)))
  }

  /// Adds a block of frames.
  public func add(_ buffer: AudioBuffer, frames: Int) {
    state.withLock { state in
      for frame in 0..<frames {
        for channel in 0..<channelCount {
          let sample = buffer.channel(channel)[frame]
          state.current[channel].0 = min(state.current[channel].0, sample)
          state.current[channel].1 = max(state.current[channel].1, sample)
        }
        state.filled += 1
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
    let (minima, maxima) = state.withLock { state -> ([[Float]], [[Float]]) in
      if state.filled > 0 { Self.close(&state, channels: channelCount) }
      return (state.minima, state.maxima)
    }
    let height = laneHeight * channelCount
    var pixels = [UInt8](repeating: 255, count: width * height * 3)
    func paint(_ x: Int, _ y: Int, _ color: (UInt8, UInt8, UInt8)) {
      guard x >= 0, x < width, y >= 0, y < height else { return }
      let index = (y * width + x) * 3
      pixels[index] = color.0
      pixels[index + 1] = color.1
      pixels[index + 2] = color.2
    }
    for channel in 0..<channelCount {
      let top = channel * laneHeight
      let middle = top + laneHeight / 2
      for x in 0..<width { paint(x, middle, (200, 200, 200)) }
      if channel > 0 { for x in 0..<width { paint(x, top, (120, 120, 120)) } }
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
        let y0 = middle - Int((min(high, 1) * half).rounded())
        let y1 = middle - Int((max(low, -1) * half).rounded())
        for y in y0...max(y0, y1) { paint(x, y, (30, 90, 200)) }
      }
    }
    return pixels
  }

  /// Writes the picture as a PNG file, atomically.
  public func write(to path: String) throws {
    try PictureFile.writePNG(
      rgb: pixels(), width: width, height: laneHeight * channelCount, to: path)
  }
}
