import CEditLine
import CSndFile
import CSoxr
import Foundation
import Testing

@Suite("C library shims")
struct SystemLibraryTests {
  @Test("libsndfile is linked and checks formats")
  func libsndfile() {
    let version = String(cString: sf_version_string())
    #expect(version.hasPrefix("libsndfile"))
    var info = SF_INFO()
    info.samplerate = 44_100
    info.channels = 2
    info.format = Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
    #expect(sf_format_check(&info) != 0)
    info.format = Int32(SF_FORMAT_FLAC | SF_FORMAT_FLOAT)
    #expect(sf_format_check(&info) == 0)
  }

  @Test("libsoxr is linked")
  func libsoxr() {
    let version = String(cString: soxr_version())
    #expect(version.hasPrefix("libsoxr"))
  }

  @Test("libedit's history works through the shim's fixed-signature wrappers")
  func libeditHistory() throws {
    let history = try #require(history_init())
    defer { history_end(history) }
    var event = HistEvent()
    #expect(ast_history_set_size(history, &event, 2) == 0)
    for line in ["sine 440 1", "gain x 0.5", "out = x"] {
      #expect(ast_history_enter(history, &event, line) >= 0)
    }
    #expect(ast_history_count(history, &event) >= 0)
    #expect(event.num == 2)
    #expect(ast_history_first(history, &event) >= 0)
    #expect(String(cString: event.str) == "out = x\n" || String(cString: event.str) == "out = x")

    let path = FileManager.default.temporaryDirectory.path + "/ast-history-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(ast_history_save(history, &event, path) >= 0)
    let loaded = try #require(history_init())
    defer { history_end(loaded) }
    var loadedEvent = HistEvent()
    _ = ast_history_set_size(loaded, &loadedEvent, 10)
    #expect(ast_history_load(loaded, &loadedEvent, path) >= 0)
    #expect(ast_history_count(loaded, &loadedEvent) >= 0)
    #expect(loadedEvent.num == 2)
  }
}
