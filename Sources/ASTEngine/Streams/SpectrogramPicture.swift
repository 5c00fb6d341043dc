import CFFTW
import Foundation

/// A spectrogram drawn while a signal renders: a short-time FFT (FFTW) of the signal's
/// mean over channels with a Hann window, on a logarithmic frequency axis from 20 Hz
/// to the Nyquist frequency (high frequencies at the top), levels in dBFS from -100 to
/// 0 through a perceptual colour map (dark violet to yellow), written as a PNG.
///
/// Memory stays bounded whatever the length: when the columns reach twice the
/// picture's width, neighbours are merged (keeping the louder), and later frames are
/// merged as they come.
public final class SpectrogramPicture: @unchecked Sendable {
  /// The picture's width in pixels.
  public let width: Int
  /// The height of the spectrum in pixels: one row per frequency band (the picture
  /// adds a time axis below it).
  public let height: Int
  /// Samples per transform.
  public static let windowSize = 4096
  /// The lowest frequency shown, in Hz.
  public static let lowestFrequency = 20.0
  private let sampleRate: Int
  private let channelCount: Int
  private let hop: Int
  private let window: [Float]
  private let input: UnsafeMutablePointer<Float>
  private let output: OpaquePointer
  private let plan: fftwf_plan
  /// The first and last FFT bin (inclusive) that each row covers.
  private let rowBins: [(Int, Int)]
  private let lock = NSLock()
  private var recent: [Float]
  private var sinceLast = 0
  private var seen = 0
  private var columns: [[Float]] = []
  private var merging = 1
  private var pending: [Float]?
  private var pendingCount = 0

  /// An empty spectrogram for `channelCount` channels at `sampleRate`; `frameCount`,
  /// when known, spaces the transforms so that about `width` of them cover the signal.
  public init(
    sampleRate: Int, channelCount: Int, frameCount: Int?, width: Int = 1200, height: Int = 400
  ) {
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    self.width = width
    self.height = height
    let size = Self.windowSize
    hop = max(size / 4, (frameCount ?? 0) / max(width, 1))
    window = (0..<size).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size))) }
    recent = [Float](repeating: 0, count: size)
    input = fftwf_alloc_real(size)
    let complex = fftwf_alloc_complex(size / 2 + 1)!
    output = OpaquePointer(complex)
    plan = fftwf_plan_dft_r2c_1d(Int32(size), input, complex, UInt32(FFTW_ESTIMATE))
    var bins: [(Int, Int)] = []
    let binWidth = Double(sampleRate) / Double(size)
    for row in 0..<height {
      let upper = Self.frequency(ofEdge: row, height: height, sampleRate: sampleRate)
      let lower = Self.frequency(ofEdge: row + 1, height: height, sampleRate: sampleRate)
      let first = max(1, Int((lower / binWidth).rounded()))
      let last = min(size / 2, max(first, Int((upper / binWidth).rounded())))
      bins.append((first, last))
    }
    rowBins = bins
  }

  deinit {
    fftwf_destroy_plan(plan)
    fftwf_free(input)
    fftwf_free(UnsafeMutableRawPointer(output))
  }

  /// The frequency (Hz) at the top edge of `row` (row 0 is the top of the picture).
  static func frequency(ofEdge row: Int, height: Int, sampleRate: Int) -> Double {
    let nyquist = Double(sampleRate) / 2
    let fraction = Double(row) / Double(height)
    return nyquist * pow(lowestFrequency / nyquist, fraction)
  }

  /// The row whose band holds `frequency` (Hz).
  public func row(forFrequency frequency: Double) -> Int {
    let nyquist = Double(sampleRate) / 2
    let fraction = log(frequency / nyquist) / log(Self.lowestFrequency / nyquist)
    return min(height - 1, max(0, Int(fraction * Double(height))))
  }

  /// Adds a block of frames.
  public func add(_ buffer: AudioBuffer, frames: Int) {
    lock.withLock {
      let size = Self.windowSize
      let scale = 1 / Float(channelCount)
      for frame in 0..<frames {
        var sample: Float = 0
        for channel in 0..<channelCount { sample += buffer.channel(channel)[frame] }
        recent[seen % size] = sample * scale
        seen += 1
        sinceLast += 1
        if sinceLast >= hop, seen >= size / 2 {
          sinceLast = 0
          transform()
        }
      }
    }
  }

  /// One column from the last `windowSize` samples (the oldest first).
  private func transform() {
    let size = Self.windowSize
    for index in 0..<size {
      input[index] = recent[(seen + index) % size] * window[index]
    }
    fftwf_execute(plan)
    let spectrum = UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
    // A full-scale sine peaks at size / 4 with a Hann window: that is 0 dBFS.
    let reference = Float(size) / 4
    var column = [Float](repeating: -200, count: height)
    for (row, bins) in rowBins.enumerated() {
      var loudest: Float = 0
      for bin in bins.0...bins.1 {
        let re = spectrum[2 * bin]
        let im = spectrum[2 * bin + 1]
        loudest = max(loudest, (re * re + im * im).squareRoot())
      }
      column[row] = 20 * log10(max(loudest / reference, 1e-10))
    }
    add(column: column)
  }

  private func add(column: [Float]) {
    if let current = pending {
      pending = zip(current, column).map { max($0, $1) }
    } else {
      pending = column
    }
    pendingCount += 1
    guard pendingCount >= merging, let finished = pending else { return }
    columns.append(finished)
    pending = nil
    pendingCount = 0
    if columns.count >= 2 * width {
      columns = stride(from: 0, to: columns.count - 1, by: 2).map {
        zip(columns[$0], columns[$0 + 1]).map { max($0, $1) }
      }
      merging *= 2
    }
  }

  /// The levels in dBFS, one array of `height` rows per column.
  public func levels() -> [[Float]] {
    lock.withLock {
      if let pending {
        columns.append(pending)
        self.pending = nil
        pendingCount = 0
      }
      if columns.isEmpty, seen > 0 { transform() }
      if let pending {
        columns.append(pending)
        self.pending = nil
      }
      return columns
    }
  }

  /// The picture's height in pixels: the spectrum and the time axis.
  public var pictureHeight: Int { height + TimeAxis.height }

  /// The picture as RGB pixels, row by row: `width` columns (each the nearest column of
  /// levels) by ``pictureHeight`` rows, the time axis at the bottom.
  public func pixels() -> [UInt8] {
    let levels = levels()
    var pixels = [UInt8](repeating: 0, count: width * pictureHeight * 3)
    let duration = lock.withLock { Double(seen) / Double(sampleRate) }
    TimeAxis.draw(into: &pixels, width: width, top: height, duration: duration)
    guard !levels.isEmpty else { return pixels }
    for x in 0..<width {
      let column = levels[min(levels.count - 1, x * levels.count / width)]
      for y in 0..<height {
        let color = Self.color(for: (column[y] + 100) / 100)
        let index = (y * width + x) * 3
        pixels[index] = color.0
        pixels[index + 1] = color.1
        pixels[index + 2] = color.2
      }
    }
    return pixels
  }

  /// A perceptual colour map (after viridis): dark violet at 0, yellow at 1.
  static func color(for value: Float) -> (UInt8, UInt8, UInt8) {
    let stops: [(Float, Float, Float)] = [
      (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
    ]
    let t = min(max(value, 0), 1) * Float(stops.count - 1)
    let index = min(Int(t), stops.count - 2)
    let f = t - Float(index)
    let a = stops[index]
    let b = stops[index + 1]
    return (
      UInt8(a.0 + (b.0 - a.0) * f), UInt8(a.1 + (b.1 - a.1) * f), UInt8(a.2 + (b.2 - a.2) * f)
    )
  }

  /// Writes the picture as a PNG file, atomically; errors name it `displayPath`.
  public func write(to path: String, displayPath: String) throws {
    try PictureFile.writePNG(
      rgb: pixels(), width: width, height: pictureHeight, to: path, displayPath: displayPath)
  }
}
