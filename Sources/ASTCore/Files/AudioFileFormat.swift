import CSndFile

/// The audio file formats the project reads and writes through libsndfile.
public enum AudioFileFormat: String, Sendable, CaseIterable {
  /// RIFF WAVE: integer (8 to 32-bit) or float samples.
  case wav
  /// FLAC: lossless, 8 to 24-bit integers.
  case flac
  /// Ogg Vorbis: lossy.
  case ogg
  /// MPEG-1 Layer III: lossy.
  case mp3
  /// AIFF: integer or float samples.
  case aiff

  /// The format a file name extension stands for (case-insensitive), or `nil`.
  ///
  /// `wav`, `wave`, `flac`, `ogg`, `oga`, `mp3`, `aiff`, `aif` and `aifc` are known.
  public init?(pathExtension: String) {
    switch pathExtension.lowercased() {
    case "wav", "wave": self = .wav
    case "flac": self = .flac
    case "ogg", "oga": self = .ogg
    case "mp3": self = .mp3
    case "aiff", "aif", "aifc": self = .aiff
    default: return nil
    }
  }

  /// Every extension ``init(pathExtension:)`` knows, for shell completion.
  public static let completionExtensions = [
    "wav", "wave", "flac", "ogg", "oga", "mp3", "aiff", "aif", "aifc",
  ]

  /// The format named by a path's extension, or `nil` when it has none or an unknown one.
  public init?(path: String) {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
    self.init(pathExtension: String(name[name.index(after: dot)...]))
  }

  /// The format's name in messages: `WAV`, `FLAC`, `Ogg Vorbis`, `MP3`, `AIFF`.
  public var displayName: String {
    switch self {
    case .wav: "WAV"
    case .flac: "FLAC"
    case .ogg: "Ogg Vorbis"
    case .mp3: "MP3"
    case .aiff: "AIFF"
    }
  }

  /// The sample rates MP3 has: those of MPEG-1, 2 and 2.5.
  public static let mp3SampleRates = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]
  /// The highest sample rate of a FLAC file.
  public static let highestFLACRate = 655_350
  /// The highest sample rate libvorbis encodes.
  public static let highestVorbisRate = 200_000

  /// Why a file of this format cannot hold audio at `sampleRate`, or `nil` when it can:
  /// `MP3 takes audio at 8000, 11025, ... or 48000 Hz, not 1 Hz`.
  public func rateProblem(sampleRate: Int) -> String? {
    switch self {
    case .mp3:
      guard !Self.mp3SampleRates.contains(sampleRate) else { return nil }
      let rates = Self.mp3SampleRates.dropLast().map(String.init).joined(separator: ", ")
      return "\(displayName) takes audio at \(rates) or \(Self.mp3SampleRates.last ?? 0) Hz, "
        + "not \(sampleRate) Hz"
    case .flac, .ogg:
      let highest = self == .flac ? Self.highestFLACRate : Self.highestVorbisRate
      guard sampleRate > highest else { return nil }
      return "\(displayName) takes audio at up to \(highest) Hz, not \(sampleRate) Hz"
    case .wav, .aiff:
      return nil
    }
  }

  /// Whether the format loses information (Vorbis and MP3).
  public var isLossy: Bool { self == .ogg || self == .mp3 }

  /// The encoding a segment is written in for this format when `encoding` is asked for.
  ///
  /// WAV and AIFF store every encoding. FLAC stores 8 to 24-bit integers, so wider
  /// encodings are written as 24-bit. Vorbis and MP3 are written from 32-bit floats.
  public func storedEncoding(for encoding: SampleEncoding) -> SampleEncoding {
    switch self {
    case .wav, .aiff:
      return encoding
    case .flac:
      switch encoding {
      case .int8, .int16, .int24: return encoding
      case .int32, .float32, .float64: return .int24
      }
    case .ogg, .mp3:
      return .float32
    }
  }

  /// The libsndfile format code (major type and subtype) for a stored encoding.
  func libsndfileFormat(for encoding: SampleEncoding) -> Int32 {
    let major: Int32
    switch self {
    case .wav: major = Int32(SF_FORMAT_WAV)
    case .flac: major = Int32(SF_FORMAT_FLAC)
    case .ogg: major = Int32(SF_FORMAT_OGG)
    case .mp3: major = Int32(SF_FORMAT_MPEG)
    case .aiff: major = Int32(SF_FORMAT_AIFF)
    }
    let subtype: Int
    switch (self, storedEncoding(for: encoding)) {
    case (.ogg, _): subtype = SF_FORMAT_VORBIS
    case (.mp3, _): subtype = SF_FORMAT_MPEG_LAYER_III
    case (.wav, .int8): subtype = SF_FORMAT_PCM_U8
    case (_, .int8): subtype = SF_FORMAT_PCM_S8
    case (_, .int16): subtype = SF_FORMAT_PCM_16
    case (_, .int24): subtype = SF_FORMAT_PCM_24
    case (_, .int32): subtype = SF_FORMAT_PCM_32
    case (_, .float32): subtype = SF_FORMAT_FLOAT
    case (_, .float64): subtype = SF_FORMAT_DOUBLE
    }
    return major | Int32(subtype)
  }

  /// The format of a libsndfile major type, or `nil` for one the project does not name.
  init?(libsndfileFormat format: Int32) {
    switch Int(format) & SF_FORMAT_TYPEMASK {
    case SF_FORMAT_WAV, SF_FORMAT_WAVEX, SF_FORMAT_RF64: self = .wav
    case SF_FORMAT_FLAC: self = .flac
    case SF_FORMAT_OGG: self = .ogg
    case SF_FORMAT_MPEG: self = .mp3
    case SF_FORMAT_AIFF: self = .aiff
    default: return nil
    }
  }
}

extension SampleEncoding {
  /// The encoding that holds a libsndfile subtype's samples without loss.
  init(libsndfileFormat format: Int32) {
    switch Int(format) & SF_FORMAT_SUBMASK {
    case SF_FORMAT_PCM_S8, SF_FORMAT_PCM_U8: self = .int8
    case SF_FORMAT_PCM_24, SF_FORMAT_ALAC_20, SF_FORMAT_ALAC_24,
      SF_FORMAT_DWVW_24:
      self = .int24
    case SF_FORMAT_PCM_32, SF_FORMAT_ALAC_32: self = .int32
    case SF_FORMAT_FLOAT, SF_FORMAT_VORBIS, SF_FORMAT_OPUS,
      SF_FORMAT_MPEG_LAYER_I, SF_FORMAT_MPEG_LAYER_II,
      SF_FORMAT_MPEG_LAYER_III:
      self = .float32
    case SF_FORMAT_DOUBLE: self = .float64
    default: self = .int16
    }
  }
}
