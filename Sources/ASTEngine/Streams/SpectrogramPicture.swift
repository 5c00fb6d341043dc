import CFFTW
import Foundation

/// A spectrogram drawn while a signal renders: a short-time FFT (FFTW) of each channel
/// with a Hann window, one lane per channel, on a logarithmic frequency axis from 20 Hz
/// to the Nyquist frequency (high frequencies at the top, ticks at 100 Hz, 1 kHz,
/// 10 kHz and the other steps of 1, 2, 5 that fit), levels in dBFS from -100 to 0
/// through a perceptual colour map (dark violet to yellow) with its legend on the right,
/// over a time axis in seconds, written as a PNG.
///
/// Memory stays bounded whatever the length: when the columns reach twice the
/// spectrum's width, neighbours are merged (keeping the louder), and later frames are
/// merged as they come.
public final class SpectrogramPicture: @unchecked Sendable {
  /// The picture's width in pixels: the frequency axis, the spectrum and the legend.
  public let width: Int
  /// The height of each channel's lane in pixels: one row per frequency band.
  public let laneHeight: Int
  /// Samples per transform.
  public static let windowSize = 4096
  /// The lowest frequency shown, in Hz.
  public static let lowestFrequency = 20.0
  /// The lowest sample rate drawn: the frequency axis runs from ``lowestFrequency`` up to
  /// the Nyquist frequency, which must lie above it (41 Hz).
  public static let lowestSampleRate = Int(2 * lowestFrequency) + 1
  /// The width of the frequency axis left of the spectrum, in pixels.
  static let axisWidth = 40
  /// The width of the colour legend right of the spectrum, in pixels.
  static let legendWidth = 64
  /// The space between two lanes, in pixels.
  static let laneGap = 6
  private static let textColor: PictureCanvas.Color = (40, 40, 40)
  private static let tickColor: PictureCanvas.Color = (60, 60, 60)
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
  /// The last `windowSize` samples of each channel, a ring from `seen`.
  private var recent: [[Float]]
  private var sinceLast = 0
  private var seen = 0
  /// Each column holds every channel's rows, channel after channel.
  private var columns: [[Float]] = []
  private var merging = 1
  private var pending: [Float]?
  private var pendingCount = 0
  /// The picture's memory in the run's budget, if it is counted in one.
  private let memory: MemoryReservation?

  /// An empty spectrogram for `channelCount` channels at `sampleRate` (at least
  /// ``lowestSampleRate``; below it the lanes are left empty), `width` pixels wide with
  /// lanes of `laneHeight` rows; `frameCount`, when known, spaces the transforms so that
  /// about one of them falls on each column of the spectrum.
  ///
  /// With `memory`, the most the picture holds is counted in it at once, without being
  /// refused (the builder's ``MemoryBudget/requireWithinLimit(origin:)`` refuses it
  /// before the render): the columns (up to twice the spectrum's width, merged into
  /// more, and copied out at the end), the pixels, and the transform's buffers.
  public init(
    sampleRate: Int, channelCount: Int, frameCount: Int?, width: Int = 1200,
    laneHeight: Int = 400, memory: MemoryBudget? = nil
  ) {
    let spectrumWidth = max(1, width - Self.axisWidth - Self.legendWidth)
    let columnBytes = 4 * channelCount * laneHeight
    let height = channelCount * (laneHeight + Self.laneGap) + TimeAxis.height
    let transformBytes = 4 * (Self.windowSize * (channelCount + 3) + 4)
    self.memory = memory?.charging(
      columnBytes * (5 * spectrumWidth + 2) + 3 * width * height + transformBytes,
      for: .part("the picture"))
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    self.width = width
    self.laneHeight = laneHeight
    let size = Self.windowSize
    hop = max(size / 4, (frameCount ?? 0) / spectrumWidth)
    window = (0..<size).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size))) }
    recent = Array(repeating: [Float](repeating: 0, count: size), count: channelCount)
    input = fftwf_alloc_real(size)
    let complex = fftwf_alloc_complex(size / 2 + 1)!
    output = OpaquePointer(complex)
    plan = FFTWPlanning.realToComplex(size: size, input: input, output: complex)
    var bins: [(Int, Int)] = []
    let binWidth = Double(sampleRate) / Double(size)
    for row in 0..<laneHeight {
      let upper = Self.frequency(ofEdge: row, height: laneHeight, sampleRate: sampleRate)
      let lower = Self.frequency(ofEdge: row + 1, height: laneHeight, sampleRate: sampleRate)
      // Below the lowest rate the band edges pass the Nyquist frequency: every row is
      // then the last bin.
      let first = min(size / 2, max(1, Int((lower / binWidth).rounded())))
      let last = min(size / 2, max(first, Int((upper / binWidth).rounded())))
      bins.append((first, last))
    }
    rowBins = bins
  }

  deinit {
    FFTWPlanning.destroy(plan)
    fftwf_free(input)
    fftwf_free(UnsafeMutableRawPointer(output))
  }

  /// The number of columns of spectrum: the picture's width less the frequency axis and
  /// the legend.
  public var spectrumWidth: Int { max(1, width - Self.axisWidth - Self.legendWidth) }

  /// The picture's height in pixels: a lane per channel and the time axis.
  public var height: Int { lanesHeight + TimeAxis.height }

  /// The height of the lanes and the gaps between them, in pixels.
  private var lanesHeight: Int { channelCount * laneHeight + (channelCount - 1) * Self.laneGap }

  /// The top row of `channel`'s lane in the picture.
  func laneTop(_ channel: Int) -> Int { channel * (laneHeight + Self.laneGap) }

  /// The frequency (Hz) at the top edge of `row` (row 0 is the top of a lane).
  static func frequency(ofEdge row: Int, height: Int, sampleRate: Int) -> Double {
    let nyquist = Double(sampleRate) / 2
    let fraction = Double(row) / Double(height)
    return nyquist * pow(lowestFrequency / nyquist, fraction)
  }

  /// The row of a lane whose band holds `frequency` (Hz).
  public func row(forFrequency frequency: Double) -> Int {
    let nyquist = Double(sampleRate) / 2
    guard nyquist > Self.lowestFrequency else { return 0 }
    let fraction = log(frequency / nyquist) / log(Self.lowestFrequency / nyquist)
    return min(laneHeight - 1, max(0, Int(fraction * Double(laneHeight))))
  }

  /// Adds a block of frames.
  public func add(_ buffer: AudioBuffer, frames: Int) {
    lock.withLock {
      let size = Self.windowSize
      for frame in 0..<frames {
        for channel in 0..<channelCount {
          recent[channel][seen % size] = buffer.channel(channel)[frame]
        }
        seen += 1
        sinceLast += 1
        if sinceLast >= hop, seen >= size / 2 {
          sinceLast = 0
          transform()
        }
      }
    }
  }

  /// One column from the last `windowSize` samples of each channel (the oldest first).
  private func transform() {
    let size = Self.windowSize
    // A full-scale sine peaks at size / 4 with a Hann window: that is 0 dBFS.
    let reference = Float(size) / 4
    var column = [Float](repeating: -200, count: channelCount * laneHeight)
    for channel in 0..<channelCount {
      for index in 0..<size {
        input[index] = recent[channel][(seen + index) % size] * window[index]
      }
      fftwf_execute(plan)
      let spectrum = UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
      for (row, bins) in rowBins.enumerated() {
        var loudest: Float = 0
        for bin in bins.0...bins.1 {
          let re = spectrum[2 * bin]
          let im = spectrum[2 * bin + 1]
          loudest = max(loudest, (re * re + im * im).squareRoot())
        }
        column[channel * laneHeight + row] = 20 * log10(max(loudest / reference, 1e-10))
      }
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
    if columns.count >= 2 * spectrumWidth {
      columns = stride(from: 0, to: columns.count - 1, by: 2).map {
        zip(columns[$0], columns[$0 + 1]).map { max($0, $1) }
      }
      merging *= 2
    }
  }

  /// The levels in dBFS of each channel: one array of `laneHeight` rows per column.
  public func levels() -> [[[Float]]] {
    let all = lock.withLock {
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
    return (0..<channelCount).map { channel in
      all.map { Array($0[(channel * laneHeight)..<((channel + 1) * laneHeight)]) }
    }
  }

  /// The picture as RGB pixels, row by row: `width` by ``height``, each channel's lane
  /// (each column the nearest column of levels) with its frequency axis on the left, the
  /// legend on the right, and the time axis at the bottom.
  public func pixels() -> [UInt8] {
    let levels = levels()
    let duration = lock.withLock { Double(seen) / Double(sampleRate) }
    var canvas = PictureCanvas(width: width, height: height, background: (255, 255, 255))
    let left = Self.axisWidth
    let ticks = frequencyTicks()
    for channel in 0..<channelCount {
      let top = laneTop(channel)
      let lane = levels[channel]
      for x in 0..<spectrumWidth {
        let column = lane.isEmpty ? nil : lane[min(lane.count - 1, x * lane.count / spectrumWidth)]
        for y in 0..<laneHeight {
          canvas.paint(left + x, top + y, Self.color(forLevel: column?[y] ?? -200))
        }
      }
      for tick in ticks {
        for x in (left - 4)..<left { canvas.paint(x, top + tick.row, Self.tickColor) }
        canvas.write(
          tick.text, x: left - 6 - PictureCanvas.textWidth(tick.text), y: top + tick.labelTop,
          color: Self.textColor)
      }
    }
    drawLegend(into: &canvas)
    TimeAxis.draw(
      into: &canvas, top: lanesHeight, left: left, span: spectrumWidth, duration: duration)
    canvas.write("Hz", x: 4, y: lanesHeight + 4, color: Self.textColor)
    return canvas.pixels
  }

  /// A mark on an axis: its label, the row it marks, and the top row of its label.
  struct Tick {
    /// The label, such as `1k` or `-20`.
    let text: String
    /// The row marked.
    let row: Int
    /// The top row of the label.
    let labelTop: Int
  }

  /// The frequency axis of a lane, rows from the lane's top: 100 Hz, 1 kHz and 10 kHz
  /// (those from 20 Hz to the Nyquist frequency), then the other steps of 1, 2, 5 whose
  /// labels fit between them.
  func frequencyTicks() -> [Tick] {
    let nyquist = Double(sampleRate) / 2
    var decades: [Tick] = []
    var others: [Tick] = []
    var decade = 10.0
    while decade <= nyquist {
      for multiple in [1.0, 2, 5] {
        let frequency = decade * multiple
        guard frequency >= Self.lowestFrequency, frequency <= nyquist else { continue }
        let text =
          frequency < 1000 ? String(Int(frequency)) : String(Int(frequency / 1000)) + "k"
        let row = row(forFrequency: frequency)
        let labelTop = min(
          max(0, row - PictureCanvas.textHeight / 2), laneHeight - PictureCanvas.textHeight)
        let tick = Tick(text: text, row: row, labelTop: labelTop)
        if multiple == 1, decade >= 100 { decades.append(tick) } else { others.append(tick) }
      }
      decade *= 10
    }
    return Self.spaced(required: decades, optional: others)
  }

  /// The `required` ticks, and those of `optional` (tried in order) whose labels stay
  /// clear of every label kept.
  static func spaced(required: [Tick], optional: [Tick]) -> [Tick] {
    var kept = required
    for tick in optional
    where kept.allSatisfy({ abs($0.labelTop - tick.labelTop) >= PictureCanvas.textHeight + 2 }) {
      kept.append(tick)
    }
    return kept.sorted { $0.row < $1.row }
  }

  /// The legend's bar: its columns and rows in the picture (0 dBFS at the top row,
  /// -100 at the bottom).
  var legendBar: (columns: Range<Int>, rows: ClosedRange<Int>) {
    let left = Self.axisWidth + spectrumWidth + 8
    let top = 4 + PictureCanvas.textHeight + 8
    return (left..<(left + 12), top...max(top, lanesHeight - 6))
  }

  /// The ticks of the legend every 20 dBFS, rows from the picture's top.
  func legendTicks() -> [Tick] {
    let rows = legendBar.rows
    let ticks = stride(from: 0, through: 100, by: 20).map { step in
      let row = rows.lowerBound + Int((Double(step) / 100 * Double(rows.count - 1)).rounded())
      return Tick(
        text: step == 0 ? "0" : "-\(step)", row: row, labelTop: row - PictureCanvas.textHeight / 2)
    }
    return Self.spaced(
      required: [ticks[0], ticks[ticks.count - 1]], optional: Array(ticks.dropFirst().dropLast()))
  }

  /// Draws the colour legend: `dBFS`, and a bar of the colour map with labelled ticks.
  private func drawLegend(into canvas: inout PictureCanvas) {
    let bar = legendBar
    canvas.write("dBFS", x: bar.columns.lowerBound, y: 4, color: Self.textColor)
    let span = Float(max(1, bar.rows.count - 1))
    for y in bar.rows {
      let color = Self.color(forLevel: -100 * Float(y - bar.rows.lowerBound) / span)
      for x in bar.columns { canvas.paint(x, y, color) }
    }
    for tick in legendTicks() {
      for x in bar.columns.upperBound..<(bar.columns.upperBound + 3) {
        canvas.paint(x, tick.row, Self.tickColor)
      }
      canvas.write(
        tick.text, x: bar.columns.upperBound + 5, y: tick.labelTop, color: Self.textColor)
    }
  }

  /// The colour of a level in dBFS through a perceptual colour map (after viridis):
  /// dark violet at -100 and below (and for NaN), yellow at 0 and above.
  static func color(forLevel level: Float) -> PictureCanvas.Color {
    let stops: [(Float, Float, Float)] = [
      (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
    ]
    let value = level.isNaN ? 0 : (level + 100) / 100
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
      rgb: pixels(), width: width, height: height, to: path, displayPath: displayPath)
  }
}
