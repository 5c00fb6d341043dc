import ASTCore
import ArgumentParser

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
        let facts = NumberText.rateAndChannels(
          sampleRate: segment.sampleRate, channelCount: segment.channelCount)
        print(
          "\(path): \(info.format?.rawValue ?? "audio") \(segment.encoding.rawValue), "
            + "\(facts), \(segment.frameCount) frames "
            + "(\(NumberText.seconds(segment.durationSeconds)) s), "
            + NumberText.levels(peakDBFS: segment.peakDBFS, rmsDBFS: segment.rmsDBFS))
      } catch {
        failed = true
        _ = fail(error)
      }
    }
    if failed { throw ExitCode(1) }
  }
}
