import Foundation

/// Text files written whole and renamed into place: scripts (`ast fmt`, the session's
/// `:save`) and golden files.
public enum TextFile {
  /// Writes `bytes` to `path`: into a temporary file beside the file `path` names
  /// (through a symbolic link, whose target is replaced and the link kept), flushed to
  /// disk and renamed over it, keeping the permissions of the file it replaces. A
  /// failure leaves the file as it was and nothing beside it.
  ///
  /// - Throws: ``AudioFileError`` naming the file `shownAs` (`path` when `nil`).
  public static func write(_ bytes: [UInt8], to path: String, shownAs: String? = nil) throws {
    let shown = shownAs ?? path
    let destination = AudioFileWriter.resolvingSymbolicLink(path)
    let temporary = try TemporaryFile(beside: destination, for: shown)
    let descriptor = temporary.descriptor
    temporary.keepPermissions(of: destination)
    var reason: String?
    var written = 0
    while written < bytes.count, reason == nil {
      let count = bytes.withUnsafeBytes {
        Foundation.write(descriptor, $0.baseAddress! + written, bytes.count - written)
      }
      if count < 0 {
        if errno != EINTR { reason = AudioFileReader.systemMessage(errno) }
      } else {
        written += count
      }
    }
    if reason == nil, fsync(descriptor) != 0 { reason = AudioFileReader.systemMessage(errno) }
    if close(descriptor) != 0, reason == nil { reason = AudioFileReader.systemMessage(errno) }
    if reason == nil, temporary.commit() != 0 {
      reason = AudioFileReader.systemMessage(errno)
    }
    if let reason {
      temporary.discard()
      throw AudioFileError(.writeFailed, .write, path: shown, reason: reason)
    }
  }

  /// Text from bytes that may not all be UTF-8: each byte that is not part of a valid
  /// UTF-8 sequence becomes a private-use character (U+F780 + its value - 0x80, for
  /// 0x80 to 0xFF), so that text can be edited as a string and ``bytes(escaped:)``
  /// gives the bytes back. `nil` when the bytes are valid UTF-8 (nothing to escape),
  /// or when they already hold one of those private-use characters (it could not be
  /// told from an escaped byte).
  public static func escapingInvalidUTF8(_ bytes: [UInt8]) -> String? {
    guard String(validating: bytes, as: UTF8.self) == nil else { return nil }
    var scalars = String.UnicodeScalarView()
    var index = 0
    while index < bytes.count {
      let lead = bytes[index]
      let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0
      if length > 0, index + length <= bytes.count,
        let text = String(validating: bytes[index..<index + length], as: UTF8.self),
        let scalar = text.unicodeScalars.first
      {
        if (0xF780...0xF7FF).contains(scalar.value) { return nil }
        scalars.append(scalar)
        index += length
      } else {
        scalars.append(Unicode.Scalar(0xF780 + UInt32(lead) - 0x80)!)
        index += 1
      }
    }
    return String(scalars)
  }

  /// The bytes of text made by ``escapingInvalidUTF8(_:)``: its private-use characters
  /// become the bytes they stand for again.
  public static func bytes(escaped text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      if (0xF780...0xF7FF).contains(scalar.value) {
        bytes.append(UInt8(scalar.value - 0xF780 + 0x80))
      } else {
        bytes.append(contentsOf: String(scalar).utf8)
      }
    }
    return bytes
  }
}
