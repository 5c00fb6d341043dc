import ASTCore
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import ASTEngine

/// A count shared by tasks and threads.
private final class Count: Sendable {
  private let value = Mutex(0)

  func add() { value.withLock { $0 += 1 } }

  var current: Int { value.withLock { $0 } }
}

@Suite("Cancellation, FFTW planning and the file writer's queue")
struct ConcurrencyTests {
  @Test("a token's handlers run once each, whichever threads cancel it")
  func handlersRunOnce() async {
    let token = CancellationToken()
    let runs = (0..<20).map { _ in Count() }
    for count in runs {
      token.onCancel { count.add() }
    }
    let withdrawn = Count()
    token.onCancel { withdrawn.add() }.remove()
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<8 {
        group.addTask { token.cancel() }
      }
      DispatchQueue.global().async { token.cancel() }
      token.cancel()
    }
    #expect(token.isCancelled)
    #expect(runs.map(\.current) == [Int](repeating: 1, count: 20))
    #expect(withdrawn.current == 0)
    // Registered once cancelled: it runs at once, on this thread.
    let late = Count()
    token.onCancel { late.add() }
    #expect(late.current == 1)
    token.cancel()
    #expect(late.current == 1)
  }

  @Test("a handler registered while another thread cancels runs exactly once")
  func registrationRacesCancel() async {
    for _ in 0..<200 {
      let token = CancellationToken()
      let runs = Count()
      await withTaskGroup(of: Void.self) { group in
        group.addTask { token.cancel() }
        group.addTask { token.onCancel { runs.add() } }
      }
      #expect(runs.current == 1)
    }
  }

  @Test("spectrograms and power spectra made in parallel tasks plan FFTW safely")
  func parallelPlanning() async throws {
    func spectrum(_ frequency: Double) -> [Float] {
      let picture = SpectrogramPicture(
        sampleRate: 8_000, channelCount: 1, frameCount: 8_000, width: 154, laneHeight: 40)
      let buffer = AudioBuffer(channelCount: 1, capacity: 8_000)
      for frame in 0..<8_000 {
        buffer.channel(0)[frame] = Float(
          0.5 * sin(2 * Double.pi * frequency * Double(frame) / 8_000))
      }
      picture.add(buffer, frames: 8_000)
      let power = PowerSpectrum(frames: 8_000, channels: 1, sampleRate: 8_000) { frame, _ in
        Double(buffer.channel(0)[frame])
      }
      return picture.levels()[0].flatMap { $0 } + power.power.map { Float($0) }
    }
    let frequencies = [250.0, 500, 1_000, 2_000]
    let expected = frequencies.map(spectrum)
    let results = await withTaskGroup(of: (Int, [Float]).self) { group in
      for round in 0..<6 {
        for (index, frequency) in frequencies.enumerated() {
          group.addTask {
            _ = round
            return (index, spectrum(frequency))
          }
        }
      }
      var all: [(Int, [Float])] = []
      for await result in group { all.append(result) }
      return all
    }
    #expect(results.count == 24)
    for (index, levels) in results {
      #expect(levels == expected[index])
    }
  }

  @Test("a full file-writer queue suspends the task handing a batch, leaving its thread free")
  func fullQueueSuspends() async throws {
    // More writers than the pool has threads, each stuck writing its first batch: with
    // a thread blocked per waiting task nothing else could run.
    let count = ProcessInfo.processInfo.activeProcessorCount + 2
    let perWriter = BackgroundWriter.slots + 2
    let gate = DispatchSemaphore(value: 0)
    let written = Count()
    let writers = (0..<count).map { _ in
      BackgroundWriter { _ in
        gate.wait()
        written.add()
      }
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for writer in writers {
        group.addTask {
          for _ in 0..<perWriter { try await writer.hand([0]) }
        }
      }
      while writers.contains(where: { $0.waitingCount == 0 }) { await Task.yield() }
      // Every writer has a task waiting for a slot, and the pool still runs this.
      let answer = await Task.detached { 6 * 7 }.value
      #expect(answer == 42)
      for _ in 0..<(count * perWriter) { gate.signal() }
      try await group.waitForAll()
    }
    for writer in writers { await writer.drained() }
    #expect(written.current == count * perWriter)
  }
}
