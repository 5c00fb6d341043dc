/// How the compressed formats encode: the MP3 bitrate, the Ogg Vorbis quality and the
/// FLAC compression level. A setting left `nil` takes its default, and each applies to
/// its own format only.
public struct EncoderSettings: Sendable, Hashable {
  /// The MP3 bitrate in kbps, constant through the file (see ``mp3Bitrates(sampleRate:)``).
  public var bitrate: Int?
  /// The Ogg Vorbis quality, 0 (smallest) to 10 (best), on the scale of `oggenc -q`.
  public var quality: Double?
  /// The FLAC compression level, 0 (fastest) to 8 (smallest); the audio is the same.
  public var compression: Int?

  /// Creates settings; `nil` leaves a setting at its default.
  public init(bitrate: Int? = nil, quality: Double? = nil, compression: Int? = nil) {
    self.bitrate = bitrate
    self.quality = quality
    self.compression = compression
  }

  /// One of the settings.
  public enum Setting: String, Sendable, CaseIterable {
    /// The MP3 bitrate.
    case bitrate
    /// The Ogg Vorbis quality.
    case quality
    /// The FLAC compression level.
    case compression

    /// The format the setting applies to.
    public var format: AudioFileFormat {
      switch self {
      case .bitrate: .mp3
      case .quality: .ogg
      case .compression: .flac
      }
    }

    /// How a sentence names the setting: `the bitrate`.
    public var noun: String {
      switch self {
      case .bitrate: "the bitrate"
      case .quality: "the quality"
      case .compression: "the compression level"
      }
    }
  }

  /// A setting that does not fit a format or lies outside its range.
  public struct Problem: Sendable, Hashable, CustomStringConvertible {
    /// The setting at fault.
    public let setting: Setting
    /// What is wrong, to follow the setting's name: `applies to MP3 files only, not WAV`.
    public let reason: String

    /// The sentence with `subject` naming the setting: `--bitrate applies to ...`.
    public func message(subject: String) -> String { subject + " " + reason }

    /// The sentence with the setting's noun as its subject: `the bitrate applies to ...`.
    public var description: String { message(subject: setting.noun) }
  }

  /// The bitrate used when none is given: 192 kbps, or the most the sample rate allows
  /// below 32 kHz.
  public static func defaultBitrate(sampleRate: Int) -> Int {
    min(192, mp3Bitrates(sampleRate: sampleRate).last ?? 192)
  }

  /// The Vorbis quality used when none is given.
  public static let defaultQuality = 4.0
  /// The FLAC compression level used when none is given.
  public static let defaultCompression = 5
  /// The Vorbis qualities allowed.
  public static let qualityRange = 0.0...10.0
  /// The FLAC compression levels allowed.
  public static let compressionRange = 0...8

  /// The MP3 bitrates in kbps at a sample rate: 32 to 320 from 32 kHz up (MPEG-1),
  /// 8 to 160 from 16 kHz (MPEG-2), 8 to 64 below; every one of them for `nil`.
  public static func mp3Bitrates(sampleRate: Int?) -> [Int] {
    let low = [8, 16, 24, 32, 40, 48, 56, 64]
    guard let sampleRate else { return low + [80, 96, 112, 128, 144, 160, 192, 224, 256, 320] }
    if sampleRate >= 32_000 {
      return [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
    }
    if sampleRate >= 16_000 { return low + [80, 96, 112, 128, 144, 160] }
    return low
  }

  /// Sets `setting` to `value` (whole numbers for the bitrate and the compression
  /// level; see ``problem(_:_:for:sampleRate:)`` for the values that fit).
  public mutating func set(_ setting: Setting, to value: Double) {
    switch setting {
    case .bitrate: bitrate = Int(exactly: value)
    case .quality: quality = value
    case .compression: compression = Int(exactly: value)
    }
  }

  /// The settings that are given, each with its value.
  public var given: [(Setting, Double)] {
    var result: [(Setting, Double)] = []
    if let bitrate { result.append((.bitrate, Double(bitrate))) }
    if let quality { result.append((.quality, quality)) }
    if let compression { result.append((.compression, Double(compression))) }
    return result
  }

  /// The first setting that does not fit `format` at `sampleRate` (`nil` when the rate
  /// is not known yet: then only what no rate allows is refused), or `nil`.
  public func problem(for format: AudioFileFormat, sampleRate: Int?) -> Problem? {
    for (setting, value) in given {
      if let problem = Self.problem(setting, value, for: format, sampleRate: sampleRate) {
        return problem
      }
    }
    return nil
  }

  /// What is wrong with `value` for `setting` in `format` at `sampleRate`, or `nil`.
  public static func problem(
    _ setting: Setting, _ value: Double, for format: AudioFileFormat, sampleRate: Int?
  ) -> Problem? {
    guard setting.format == format else {
      return Problem(
        setting: setting,
        reason: "applies to \(setting.format.displayName) files only, not \(format.displayName)")
    }
    let shown = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    switch setting {
    case .bitrate:
      let allowed = mp3Bitrates(sampleRate: sampleRate)
      guard !allowed.contains(where: { Double($0) == value }) else { return nil }
      let list = allowed.dropLast().map(String.init).joined(separator: ", ")
      let place = sampleRate.map { " at \($0) Hz" } ?? ""
      return Problem(
        setting: setting,
        reason: "must be \(list) or \(allowed.last ?? 0) kbps for MP3\(place), got \(shown)")
    case .quality:
      guard !qualityRange.contains(value) else { return nil }
      return Problem(setting: setting, reason: "must be between 0 and 10, got \(shown)")
    case .compression:
      let levels = Double(compressionRange.lowerBound)...Double(compressionRange.upperBound)
      guard !levels.contains(value) || value != value.rounded() else { return nil }
      return Problem(
        setting: setting, reason: "must be a whole number between 0 and 8, got \(shown)")
    }
  }

  /// The value of libsndfile's compression level (0 to 1) that gives these settings in
  /// `format` at `sampleRate`, defaults filled in; `nil` for formats without one.
  ///
  /// For MP3 at a constant bitrate libsndfile maps the level linearly onto the bitrates
  /// of the MPEG version (320 to 32 kbps, 160 to 8, or 64 to 8) and truncates; the level
  /// is aimed half a kbps above the bitrate so that the truncation lands on it.
  func libsndfileLevel(for format: AudioFileFormat, sampleRate: Int) -> Double? {
    switch format {
    case .mp3:
      let kbps = Double(bitrate ?? Self.defaultBitrate(sampleRate: sampleRate))
      let (top, bottom): (Double, Double) =
        sampleRate >= 32_000 ? (320, 32) : sampleRate >= 16_000 ? (160, 8) : (64, 8)
      return min(1, max(0, (top - kbps - 0.5) / (top - bottom)))
    case .ogg:
      return 1 - (quality ?? Self.defaultQuality) / 10
    case .flac:
      return Double(compression ?? Self.defaultCompression) / 8
    case .wav, .aiff:
      return nil
    }
  }
}
