import CALSA

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a sound device agreed to when it was opened.
public struct DeviceConfiguration: Sendable, Equatable {
  /// Frames per second.
  public var sampleRate: Int
  /// Samples per frame.
  public var channelCount: Int
  /// Whether the device takes 32-bit floats; else 16-bit integers, which the device
  /// converts from floats by the contract's rule (``PCMKernels/int16(fromFloat:)``).
  public var takesFloat: Bool
  /// Frames the device moves at a time.
  public var periodFrames: Int
  /// Frames the device holds: its latency.
  public var bufferFrames: Int

  /// The latency of the buffer in milliseconds.
  public var latencyMilliseconds: Double {
    Double(bufferFrames) * 1000 / Double(max(sampleRate, 1))
  }

  /// The time of a period in milliseconds.
  public var periodMilliseconds: Double {
    Double(periodFrames) * 1000 / Double(max(sampleRate, 1))
  }
}

/// Why a sound device could not be opened, read or written.
public struct AudioDeviceError: Error, CustomStringConvertible, Equatable {
  /// The device's name.
  public let device: String
  /// What went wrong, lower-case.
  public let reason: String

  /// An error about `device`.
  public init(device: String, reason: String) {
    self.device = device
    self.reason = reason
  }

  /// `audio device 'hw:9': cannot open it: no such file or directory`.
  public var description: String { "audio device '\(device)': \(reason)" }
}

/// A device that plays interleaved frames: the protocol a backend implements.
public protocol PlaybackDevice: AnyObject {
  /// The device's name.
  var name: String { get }
  /// What the device agreed to.
  var configuration: DeviceConfiguration { get }
  /// Underruns the device reported (and recovered from) so far.
  var underruns: Int { get }
  /// Plays `frames` interleaved frames, waiting while the device's buffer is full; at
  /// most the frame count the device was opened for at once. Allocates nothing.
  func write(_ samples: UnsafePointer<Float>, frames: Int) throws(AudioDeviceError)
  /// Waits until everything written has played, then stops.
  func drain()
  /// Stops at once and closes the device.
  func close()
}

/// A device that captures interleaved frames.
public protocol CaptureDevice: AnyObject {
  /// The device's name.
  var name: String { get }
  /// What the device agreed to.
  var configuration: DeviceConfiguration { get }
  /// Overruns the device reported (and recovered from) so far.
  var overruns: Int { get }
  /// Captures up to `frames` interleaved frames into `samples`, waiting for them;
  /// returns the frames captured.
  func read(into samples: UnsafeMutablePointer<Float>, frames: Int) throws(AudioDeviceError)
    -> Int
  /// Stops and closes the device.
  func close()
}

/// A PCM device through ALSA: `default`, `hw:0,0`, `plughw:1`, `pulse`, and the plugin
/// forms that carry their arguments in the name, such as `null` and
/// `file:FILE=/tmp/out.raw,FORMAT=raw`.
public final class ALSADevice: PlaybackDevice, CaptureDevice, @unchecked Sendable {
  // Unchecked: a device is used by one thread at a time (the one that plays or captures).
  /// The device's name.
  public let name: String
  /// What the device agreed to.
  public let configuration: DeviceConfiguration
  /// Underruns recovered from, when playing.
  public private(set) var underruns = 0
  /// Overruns recovered from, when capturing.
  public var overruns: Int { underruns }
  private var pcm: OpaquePointer?
  /// The most frames one call moves, and the 16-bit samples they are converted through.
  private let maximumFrames: Int
  private let integers: UnsafeMutablePointer<Int16>?

  /// Opens `name` for playback (or capture) at `sampleRate` with `channelCount`
  /// channels, a period of `periodFrames` and a buffer of `periods` periods, as near as
  /// the device allows (see ``configuration``).
  public init(
    name: String, capture: Bool = false, sampleRate: Int, channelCount: Int, periodFrames: Int,
    periods: Int
  ) throws(AudioDeviceError) {
    Self.quiet()
    self.name = name
    guard sampleRate > 0, sampleRate <= Int(UInt32.max), channelCount > 0, channelCount <= 1024,
      periodFrames > 0, periodFrames <= 1 << 20, periods >= 2, periods <= 1024
    else {
      throw AudioDeviceError(
        device: name,
        reason: "cannot open it at \(sampleRate) Hz, \(channelCount) channels, a period of "
          + "\(periodFrames) frames and \(periods) periods")
    }
    var handle: OpaquePointer?
    var config = ast_pcm_config()
    var step: UnsafePointer<CChar>?
    let status = ast_pcm_open(
      &handle, name, capture ? 1 : 0, UInt32(sampleRate), UInt32(channelCount),
      UInt(periodFrames), UInt32(periods), &config, &step)
    guard status == 0, let handle else {
      let what = step.map { String(cString: $0) } ?? "open"
      throw AudioDeviceError(
        device: name,
        reason: Self.describe(
          status, step: what, sampleRate: sampleRate, channelCount: channelCount))
    }
    pcm = handle
    configuration = DeviceConfiguration(
      sampleRate: Int(config.rate), channelCount: Int(config.channels),
      takesFloat: config.is_float != 0, periodFrames: Int(config.period_frames),
      bufferFrames: Int(config.buffer_frames))
    maximumFrames = max(Int(config.buffer_frames), periodFrames, 1) * 2
    if config.is_float == 0 {
      integers = .allocate(capacity: maximumFrames * channelCount)
    } else {
      integers = nil
    }
  }

  deinit {
    close()
    integers?.deallocate()
  }

  /// ALSA's own printing off, once: what goes wrong is said by the project.
  private static let quieted: Void = { ast_alsa_quiet() }()

  /// Turns ALSA's printing of errors off.
  static func quiet() { _ = quieted }

  /// The words for a failure to open: ALSA's message, with what was refused.
  static func describe(_ status: Int32, step: String, sampleRate: Int, channelCount: Int)
    -> String
  {
    let message = String(cString: snd_strerror(status)).lowercased()
    switch step {
    case "open": return "cannot open it: \(message)"
    case "channels":
      return "it does not take \(NumberText.channels(channelCount)) audio: \(message)"
    case "sample rate": return "it does not take \(sampleRate) Hz: \(message)"
    case "sample format": return "it takes neither 32-bit float nor 16-bit samples: \(message)"
    default: return "it refused its \(step): \(message)"
    }
  }

  /// Plays `frames` interleaved frames; an underrun is recovered from and counted.
  public func write(_ samples: UnsafePointer<Float>, frames: Int) throws(AudioDeviceError) {
    guard let pcm else { return }
    let channels = configuration.channelCount
    var done = 0
    while done < frames {
      let count = min(frames - done, maximumFrames)
      let written: Int
      if let integers {
        let source = samples + done * channels
        for index in 0..<(count * channels) {
          integers[index] = PCMKernels.int16(fromFloat: source[index])
        }
        written = snd_pcm_writei(pcm, integers, UInt(count))
      } else {
        written = snd_pcm_writei(pcm, samples + done * channels, UInt(count))
      }
      if written >= 0 {
        done += written
        continue
      }
      try recover(Int32(written))
    }
  }

  /// Captures up to `frames` frames; an overrun is recovered from and counted.
  public func read(into samples: UnsafeMutablePointer<Float>, frames: Int) throws(AudioDeviceError)
    -> Int
  {
    guard let pcm else { return 0 }
    let channels = configuration.channelCount
    while true {
      let count = min(frames, maximumFrames)
      let got: Int
      if let integers {
        got = snd_pcm_readi(pcm, integers, UInt(count))
        if got > 0 {
          for index in 0..<(got * channels) { samples[index] = Float(integers[index]) / 32768 }
        }
      } else {
        got = snd_pcm_readi(pcm, samples, UInt(count))
      }
      if got >= 0 { return got }
      try recover(Int32(got))
    }
  }

  /// Recovers from an underrun, an overrun or a suspend, counting it; throws for any
  /// other error.
  private func recover(_ status: Int32) throws(AudioDeviceError) {
    guard let pcm else { return }
    if status == -EAGAIN || status == -EINTR { return }
    if status == -EPIPE || status == -ESTRPIPE {
      underruns += 1
      if snd_pcm_recover(pcm, status, 1) == 0 { return }
    }
    throw AudioDeviceError(
      device: name, reason: String(cString: snd_strerror(status)).lowercased())
  }

  /// Waits until what was written has played.
  public func drain() {
    if let pcm { snd_pcm_drain(pcm) }
  }

  /// Closes the device; what is still in its buffer is dropped.
  public func close() {
    if let pcm { snd_pcm_close(pcm) }
    pcm = nil
  }

  /// A device ALSA names, with what it says of it.
  public struct Listing: Sendable, Equatable {
    /// The PCM name to open it by.
    public var name: String
    /// ALSA's description, on one line.
    public var description: String
    /// Whether it plays.
    public var playback: Bool
    /// Whether it captures.
    public var capture: Bool
  }

  /// The PCM devices ALSA lists (its name hints), in its order.
  public static func devices() -> [Listing] {
    quiet()
    var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    guard snd_device_name_hint(-1, "pcm", &hints) == 0, let hints else { return [] }
    defer { snd_device_name_free_hint(hints) }
    func hint(_ entry: UnsafeMutableRawPointer, _ key: String) -> String? {
      guard let text = snd_device_name_get_hint(entry, key) else { return nil }
      defer { free(text) }
      return String(cString: text)
    }
    var listings: [Listing] = []
    var index = 0
    while let entry = hints[index] {
      index += 1
      guard let name = hint(entry, "NAME") else { continue }
      let description = (hint(entry, "DESC") ?? "")
        .split(whereSeparator: \.isNewline).joined(separator: ", ")
      let direction = hint(entry, "IOID")
      listings.append(
        Listing(
          name: name, description: description, playback: direction != "Input",
          capture: direction != "Output"))
    }
    return listings
  }
}
