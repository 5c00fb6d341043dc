import CMPG123

/// Decodes an MPEG audio file (MP3) through libmpg123 to 32-bit floats.
///
/// libsndfile decodes MP3 through libmpg123 too, but with a handle that prints its notes
/// ("Hit end of (available) data during resync") to standard error. This handle is quiet:
/// what is wrong with a file is said once, by the reader, naming the file.
final class MPEGDecoder {
  private var handle: OpaquePointer?
  private var descriptor: Int32
  /// Frames per second.
  let sampleRate: Int
  /// Samples per frame: 1 or 2.
  let channelCount: Int
  /// The stream's length in frames, counted from its frame headers; 0 when unknown.
  let frameCount: Int
  /// Frames decoded so far.
  private var framesDecoded = 0

  /// Opens the stream at `descriptor`, which the decoder then owns and closes.
  ///
  /// - Throws: libmpg123's words for why the stream cannot be decoded.
  init(descriptor: Int32) throws(MPEGDecoderError) {
    self.descriptor = descriptor
    var error: Int32 = 0
    guard let opened = ast_mpg123_open(descriptor, &error) else {
      closeDescriptor(descriptor)
      throw MPEGDecoderError(reason: Self.message(code: error))
    }
    var rate = 0
    var channels: Int32 = 0
    let status = ast_mpg123_format(opened, &rate, &channels)
    guard status == MPG123_OK.rawValue, rate > 0, channels > 0 else {
      let reason = status == MPG123_OK.rawValue ? "no MPEG audio frames" : Self.message(opened)
      mpg123_delete(opened)
      closeDescriptor(descriptor)
      throw MPEGDecoderError(reason: reason)
    }
    handle = opened
    sampleRate = rate
    channelCount = Int(channels)
    frameCount = Int(max(ast_mpg123_length(opened), 0))
  }

  deinit {
    close()
  }

  /// Stops decoding and closes the file.
  func close() {
    if let handle {
      mpg123_close(handle)
      mpg123_delete(handle)
      closeDescriptor(descriptor)
    }
    handle = nil
    descriptor = -1
  }

  /// Decodes up to `frames` frames into `buffer`, interleaved; returns the frames
  /// decoded, 0 at the end of the stream.
  func read(into buffer: UnsafeMutablePointer<Float>, frames: Int) throws(MPEGDecoderError)
    -> Int
  {
    guard let handle, frames > 0 else { return 0 }
    let frameBytes = channelCount * MemoryLayout<Float>.size
    var filled = 0
    while filled < frames {
      var done = 0
      let target = UnsafeMutableRawPointer(buffer + filled * channelCount)
      let status = mpg123_read(handle, target, (frames - filled) * frameBytes, &done)
      filled += done / frameBytes
      if status == MPG123_DONE.rawValue {
        // Frames the decoder could not decode are dropped without an error.
        let decoded = framesDecoded + filled
        if frameCount > 0, decoded < frameCount {
          throw MPEGDecoderError(
            reason: "the file is damaged: the decoder gives \(decoded) of the \(frameCount) "
              + "frames its headers declare")
        }
        break
      }
      // A change of format mid-stream: the frames still come as floats at the rate set
      // on opening, or the next read says why not.
      if status == MPG123_NEW_FORMAT.rawValue { continue }
      guard status == MPG123_OK.rawValue else {
        throw MPEGDecoderError(reason: Self.message(handle))
      }
      if done == 0 { break }
    }
    framesDecoded += filled
    return filled
  }

  /// libmpg123's message for a handle's last error, lower-cased at its start.
  private static func message(_ handle: OpaquePointer) -> String {
    lowered(mpg123_strerror(handle).map { String(cString: $0) } ?? "unknown libmpg123 error")
  }

  private static func message(code: Int32) -> String {
    lowered(mpg123_plain_strerror(code).map { String(cString: $0) } ?? "libmpg123 error \(code)")
  }

  private static func lowered(_ text: String) -> String {
    text.trimmingTrailingPunctuation().lowercasingItsStart()
  }
}

/// Why libmpg123 could not open or decode a stream, in words that follow
/// "cannot read 'PATH':".
struct MPEGDecoderError: Error {
  /// libmpg123's words.
  let reason: String
}
