import ASTCore
import CPNG
import Foundation

/// A picture drawn block by block while a signal renders, then written as a PNG file.
public protocol SignalPicture: AnyObject {
  /// Adds a block of frames; throws when the picture's memory is counted and the run
  /// has no room for it to grow.
  func add(_ buffer: AudioBuffer, frames: Int) throws
  /// Writes the picture as a PNG file, atomically; errors name it `displayPath`.
  func write(to path: String, displayPath: String) throws
}

extension WaveformPicture: SignalPicture {}
extension SpectrogramPicture: SignalPicture {}

/// PNG files through libpng.
public enum PictureFile {
  /// Writes 8-bit RGB pixels (row by row, 3 bytes each) as a PNG file. The file is
  /// written beside `path` and renamed into place, so a failure leaves no broken file.
  ///
  /// - Throws: ``ASTCore/AudioFileError`` naming the file `displayPath` (the path as the
  ///   user gave it), or `path` when that is `nil`.
  public static func writePNG(
    rgb: [UInt8], width: Int, height: Int, to path: String, displayPath: String? = nil
  ) throws {
    precondition(rgb.count == width * height * 3, "a picture needs 3 bytes a pixel")
    let shown = displayPath ?? path
    let temporary = try TemporaryFile(beside: path, for: shown)
    let descriptor = temporary.descriptor
    var message = [CChar](repeating: 0, count: 256)
    let status = rgb.withUnsafeBufferPointer { pixels in
      ast_png_write_rgb_fd(
        descriptor, pixels.baseAddress, Int32(width), Int32(height), &message, message.count)
    }
    guard status == 0 else {
      temporary.discard()
      let reason = String(
        decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw AudioFileError(
        .writeFailed, .write, path: shown, reason: reason.isEmpty ? "libpng failed" : reason)
    }
    guard temporary.commit() == 0 else {
      let reason = AudioFileReader.systemMessage(errno)
      temporary.discard()
      throw AudioFileError(.writeFailed, .write, path: shown, reason: reason)
    }
  }

  /// The width and height of a PNG file, or `nil` when it is not one.
  public static func size(ofPNG path: String) -> (width: Int, height: Int)? {
    var width: Int32 = 0
    var height: Int32 = 0
    guard ast_png_size(path, &width, &height) == 0 else { return nil }
    return (Int(width), Int(height))
  }

  /// The pixels of a PNG file as 8-bit RGB, row by row, or `nil` when it is not one.
  public static func readPNG(_ path: String) -> (width: Int, height: Int, rgb: [UInt8])? {
    guard let (width, height) = size(ofPNG: path) else { return nil }
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    let status = pixels.withUnsafeMutableBufferPointer {
      ast_png_read_rgb(path, $0.baseAddress, $0.count)
    }
    return status == 0 ? (width, height, pixels) : nil
  }
}
