import ASTCore
import ArgumentParser
import Foundation

/// `ast info FILE...`: what each audio file holds.
struct Info: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the format, length and levels of audio files.")

  @Argument(
    help: "The audio files to describe.",
    completion: .file(extensions: AudioFileFormat.completionExtensions))
  var files: [String]

  func run() throws {
    var failed = false
    for path in files {
      do {
        let segment = try AudioSegment(contentsOfFile: path)
        let info = try AudioFileReader(path: path).info
        let channels =
          segment.channelCount == 1
          ? "mono" : segment.channelCount == 2 ? "stereo" : "\(segment.channelCount) channels"
        print(
          "\(path): \(info.format?.rawValue ?? "audio") \(segment.encoding.rawValue), "
            + "\(segment.sampleRate) Hz, \(channels), \(segment.frameCount) frames "
            + "(\(String(format: "%.3f", segment.durationSeconds)) s), "
            + "peak \(formatDecibels(segment.peakDBFS)) dBFS, "
            + "RMS \(formatDecibels(segment.rmsDBFS)) dBFS")
      } catch {
        failed = true
        _ = fail(error)
      }
    }
    if failed { throw ExitCode(1) }
  }
}
