import ASTTestSupport
import Foundation
import Testing

/// The release build of the allocation probe, `ast-allocations`, and the interposer it is
/// run with, beside the release `ast`.
private let releaseDirectory = URL(fileURLWithPath: releaseAstExecutable)
  .deletingLastPathComponent().path

/// What the probe saw: whether the allocator was interposed, the blocks rendered and
/// counted, and the allocations counted on the render thread.
private struct Count: Decodable {
  let interposed: Bool
  let blocks: Int
  let counted: Int
  let allocations: Int
  let bytes: Int
}

/// A patch through every builtin that renders block by block without an edge that
/// allocates by design: every generator, level, filter (fixed and modulated), envelope,
/// effect, the structure builtins, a shared signal, a file read and resampled, and a
/// `print`. (`repeat` builds a fresh graph for each repetition; `write`, `plot` and
/// `spectrogram` hand batches and columns on; streams are chunks, each a new value.)
private let patch = """
  rate 48000
  len = 20
  lfo = sine 0.5 len * 300 + 900
  voice = saw 110 len amp:0.2 |> lowpass lfo q:2 |> adsr 10ms 100ms 0.6 200ms
  lead = square 220 len width:0.3 amp:0.1 |> highpass 200 |> bandpass 800 |> notch 1200
  chords = triangle (sine 0.2 len * 5 + 330) len amp:0.1 |> eq 900 3 |> lowshelf 200 -3
  air = noise len color:"pink" seed:3 amp:0.05 |> fadein 2 |> fadeout 2 |> highshelf 4000 2
  rise = sweep 100 2000 len amp:0.05 |> drive amount:(sine 0.3 len + 2) |> clip limit:0.5
  notes = mix [pad (saw 330 1 amp:0.1) 2 (len - 3), pad (saw 440 1) 5 (len - 6) * 0.1, \
  slice (sine 550 len amp:0.1) 1 3]
  parts = concat [silence 1, sine 660 0.5 amp:0.05 |> reverse, sine 770 0.5 |> normalize, \
  silence (len - 2)]
  bed = overlay (mix [voice, lead, chords, air, rise, notes, parts] * 0.5) (sine 880 2) at:4
  wide = stereo (bed |> delay 0.25 feedback:0.4) (bed - silence len |> reverb room:0.6 tail:0)
  heard = read "tone.wav" |> resample 48000 |> mono
  out = mix [wide |> compress threshold_db:-18 |> pan 0.2, \
  gain (pad heard 0 (len - 2)) 0.5 |> pan (sine 0.1 len)] / 2 |> print

  """

@Suite("Allocations while rendering")
struct AllocationTests {
  /// Runs the probe on `script` (with a 20 s stereo `tone.wav` beside it) in blocks of
  /// 128 frames, counting blocks `first + 1` to `first + 5000`.
  private func count(_ script: String, first: Int, playing: Bool = false) throws -> Count? {
    let probe = releaseDirectory + "/ast-allocations"
    let interposer = releaseDirectory + "/libMallocInterposerSwift.so"
    guard FileManager.default.isExecutableFile(atPath: probe),
      FileManager.default.fileExists(atPath: interposer)
    else {
      let build = "swift build -c release --product ast-allocations"
      Issue.record("no release build of the probe at \(probe): build it with '\(build)'")
      return nil
    }
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let tone = directory.file("tone.ast")
    try "out = stereo (sine 300 20 rate:44100) (sine 310 20 rate:44100) * 0.3\n"
      .write(toFile: tone, atomically: true, encoding: .utf8)
    let made = try runProcess(
      releaseAstExecutable, ["run", tone, "-o", directory.file("tone.wav")])
    #expect(made.status == 0, "\(made.errorText)")
    let path = directory.file("patch.ast")
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    let device = "file:FILE=\(directory.file("played.raw")),FORMAT=raw"
    let result = try runProcess(
      "/usr/bin/env",
      ["LD_PRELOAD=" + interposer, probe, path, "128", "\(first)", "5000"]
        + (playing ? [device] : []))
    #expect(result.status == 0, "\(result.errorText)")
    return try JSONDecoder().decode(Count.self, from: result.output)
  }

  @Test("the steady state of a patch through every streaming builtin allocates nothing")
  func steadyState() throws {
    guard let count = try count(patch, first: 1000) else { return }
    #expect(count.interposed)
    #expect(count.counted == 5000)
    #expect(count.allocations == 0, "\(count.allocations) allocations, \(count.bytes) bytes")
  }

  @Test("playing the patch allocates nothing after start-up: the output stage and the device")
  func playbackSteadyState() throws {
    guard let count = try count(patch, first: 1000, playing: true) else { return }
    #expect(count.interposed)
    #expect(count.counted == 5000)
    #expect(count.allocations == 0, "\(count.allocations) allocations, \(count.bytes) bytes")
  }

  @Test("a pattern played by voices allocates nothing on the render thread")
  func voices() throws {
    // W7's patch: a voice starts every 0.125 s and ends 1 s later, so the 5000 blocks
    // counted (13.3 s) see about 107 voices start and as many end; played, each is built
    // and freed on the builder's task, and its envelope's gains made there. (Offline,
    // voices are built in the ready pass, on the render's thread, which is quicker.)
    let script = """
      rate 48000
      tempo 120
      fn voice freq dur = saw freq 1 amp:0.1 |> lowpass 2000 q:4 |> adsr 10ms 200ms 0.5 300ms
      notes = seq "45 52 59 66 49 56 63 46 53 60 67 50 57 64 47 54 61 68 51 58 65 48 55 62" \
      bars:1.5 cycles:20
      out = voices notes voice

      """
    guard let count = try count(script, first: 1000, playing: true) else { return }
    #expect(count.interposed)
    #expect(count.counted == 5000)
    #expect(count.allocations == 0, "\(count.allocations) allocations, \(count.bytes) bytes")
  }

  @Test("the probe sees what a render thread allocates: a file writer's batches")
  func probeSeesAllocations() throws {
    // The writer hands a batch of 65,536 samples to its thread every 256 blocks of
    // stereo 128 frames, as a new array: the count is not 0, so the probe counts.
    guard
      let count = try count("rate 48000\nout = sine 440 20 |> write \"copy.wav\"\n", first: 1000)
    else { return }
    #expect(count.interposed)
    #expect(count.counted == 5000)
    #expect(count.allocations > 0)
  }
}
