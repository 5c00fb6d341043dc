import CFFTW
import Foundation

/// The average power spectrum of a whole signal, by Welch's method: Hann-windowed
/// transforms of 8192 frames overlapping by half, their power averaged over time and
/// channels. Levels are in dBFS of a sine's amplitude, so a full-scale sine peaks at
/// 0 dBFS in its bin.
///
/// What it gives is made for comparing two renders: the strongest peaks (frequency,
/// by parabolic interpolation, to a fraction of a bin; level to a tenth of a dB) and
/// the energy of each octave band.
public struct PowerSpectrum: Sendable {
  /// The frames of one transform.
  public static let size = 8192

  /// Frames per second of the analysed signal.
  public let sampleRate: Int
  /// The mean power of each bin, 0 to `size / 2`, scaled so that a sine of amplitude
  /// `a` centred on a bin has `a * a` there.
  public let power: [Double]

  /// The width of a bin in hertz.
  public var binWidth: Double { Double(sampleRate) / Double(Self.size) }

  /// Analyses `frames` frames of `channels` channels; `sample(frame, channel)` gives a
  /// sample. A signal shorter than a transform is padded with silence.
  public init(frames: Int, channels: Int, sampleRate: Int, sample: (Int, Int) -> Double) {
    self.sampleRate = sampleRate
    let size = Self.size
    let half = size / 2
    var sums = [Double](repeating: 0, count: half + 1)
    guard frames > 0, channels > 0 else {
      power = sums
      return
    }
    let window = (0..<size).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size)) }
    let windowSum = window.reduce(0, +)
    let input = fftwf_alloc_real(size)!
    let output = fftwf_alloc_complex(half + 1)!
    defer {
      fftwf_free(input)
      fftwf_free(UnsafeMutableRawPointer(output))
    }
    let plan = FFTWPlanning.realToComplex(size: size, input: input, output: output)
    defer { FFTWPlanning.destroy(plan) }
    let hop = size / 2
    var starts = Array(stride(from: 0, to: max(frames - size, 0) + 1, by: hop))
    if let last = starts.last, last + size < frames { starts.append(frames - size) }
    // Amplitude 2 |X| / sum(w) for a sine on a bin: power (2 |X| / sum(w))^2.
    let scale = 4 / (windowSum * windowSum)
    for channel in 0..<channels {
      for start in starts {
        for index in 0..<size {
          let frame = start + index
          input[index] = frame < frames ? Float(sample(frame, channel) * window[index]) : 0
        }
        fftwf_execute(plan)
        let bins = UnsafeRawPointer(output).assumingMemoryBound(to: Float.self)
        for bin in 0...half {
          let re = Double(bins[2 * bin])
          let im = Double(bins[2 * bin + 1])
          sums[bin] += (re * re + im * im) * scale
        }
      }
    }
    let count = Double(starts.count * channels)
    power = sums.map { $0 / count }
  }

  /// A spectral peak.
  public struct Peak: Sendable, Equatable {
    /// Its frequency in hertz.
    public var frequency: Double
    /// Its level in dBFS.
    public var level: Double

    /// Creates a peak.
    public init(frequency: Double, level: Double) {
      self.frequency = frequency
      self.level = level
    }
  }

  /// `10 log10(power)`, floored at -200 dB.
  private static func decibels(_ power: Double) -> Double {
    10 * log10(max(power, 1e-20))
  }

  /// Up to `maximum` peaks that stand out, strongest first: local maxima at least
  /// `prominence` dB above the median of the bins within half an octave, and within
  /// `range` dB of the strongest. A noise has none.
  public func peaks(maximum: Int = 4, prominence: Double = 15, range: Double = 50) -> [Peak] {
    let levels = power.map(Self.decibels)
    guard levels.count > 2 else { return [] }
    var candidates: [Int] = []
    for bin in 1..<(levels.count - 1)
    where levels[bin] > levels[bin - 1] && levels[bin] >= levels[bin + 1] && levels[bin] > -140 {
      candidates.append(bin)
    }
    candidates.sort { levels[$0] > levels[$1] }
    var found: [Peak] = []
    for bin in candidates.prefix(64) {
      let low = max(1, Int(Double(bin) / 2.squareRoot()))
      let high = min(levels.count - 1, max(bin + 1, Int(Double(bin) * 2.squareRoot())))
      let neighbourhood = levels[low...high].sorted()
      let median = neighbourhood[neighbourhood.count / 2]
      guard levels[bin] - median >= prominence else { continue }
      let (a, b, c) = (levels[bin - 1], levels[bin], levels[bin + 1])
      let curvature = a - 2 * b + c
      let offset = curvature < 0 ? 0.5 * (a - c) / curvature : 0
      let peak = Peak(
        frequency: (Double(bin) + offset) * binWidth, level: b - 0.25 * (a - c) * offset)
      if let strongest = found.first, peak.level < strongest.level - range { break }
      found.append(peak)
      if found.count == maximum { break }
    }
    return found
  }

  /// The centres of the octave bands: 31.25 Hz doubled up to 16 kHz, those below the
  /// Nyquist frequency.
  public var bandCentres: [Double] {
    (0..<10).map { 31.25 * pow(2, Double($0)) }.filter {
      $0 * 2.squareRoot() <= Double(sampleRate) / 2
    }
  }

  /// The share of the energy in each octave band (``bandCentres``) in dB, at least
  /// `floor`; all `floor` for silence.
  public func bandLevels(floor: Double = -60) -> [Double] {
    let total = power.dropFirst().reduce(0, +)
    return bandCentres.map { centre in
      let first = max(1, Int((centre / 2.squareRoot() / binWidth).rounded()))
      let last = min(power.count - 1, Int((centre * 2.squareRoot() / binWidth).rounded()) - 1)
      guard total > 0, last >= first else { return floor }
      let energy = power[first...last].reduce(0, +)
      return max(floor, 10 * log10(max(energy / total, 1e-30)))
    }
  }
}
