import Testing

@testable import ASTEngine

@Suite("The run's memory budget")
struct MemoryBudgetTests {
  /// A silent mono signal of `frames` frames at 8 kHz.
  func silence(frames: Int, context: RenderContext) -> AudioNode {
    SilenceNode(sampleRate: 8_000, frameCount: frames, context: context)
  }

  @Test("a reservation holds its bytes until it is freed; one past the limit is refused")
  func reserveAndRelease() throws {
    let budget = MemoryBudget(limit: 1_000)
    var first: MemoryReservation? = try budget.reserve(600, for: .part("the delay line"))
    #expect(budget.bytesHeld == 600)
    #expect(first?.bytes == 600)
    do {
      _ = try budget.reserve(500, for: .part("the delay line"), origin: 3)
      Issue.record("500 more bytes were reserved past the limit")
    } catch let error as MemoryLimitError {
      #expect(error.requested == 500)
      #expect(error.held == 600)
      #expect(error.limit == 1_000)
      #expect(error.origin == 3)
    }
    // A refusal holds nothing.
    #expect(budget.bytesHeld == 600)
    first = nil
    #expect(budget.bytesHeld == 0)
    // The budget freed is there to reserve again.
    let second = try budget.reserve(1_000, for: .wholeSignal)
    #expect(budget.bytesHeld == 1_000)
    #expect(second.bytes == 1_000)
  }

  @Test("more than can be counted is refused, not an arithmetic trap")
  func overflow() throws {
    let budget = MemoryBudget(limit: 1 << 30)
    #expect(MemoryBudget.bytes(frames: Int.max / 2, channels: 2, width: 4) == nil)
    #expect(throws: MemoryLimitError.self) {
      _ = try budget.reserve(frames: Int.max / 2, channels: 2, width: 4, for: .wholeSignal)
    }
    #expect(budget.bytesHeld == 0)
  }

  @Test("storage that grows doubles its reservation, and takes only what it needs near the limit")
  func room() throws {
    let budget = MemoryBudget(limit: 1_000)
    let reservation = budget.reservation(for: .part("the queue of chunks"))
    #expect(try reservation.room(for: 100, capacity: 0, width: 1) == 100)
    #expect(try reservation.room(for: 50, capacity: 100, width: 1) == nil)
    #expect(try reservation.room(for: 150, capacity: 100, width: 1) == 200)
    #expect(budget.bytesHeld == 200)
    // Doubling to 800 would pass the limit with the 300 held elsewhere; 700 fits.
    let other = try budget.reserve(300, for: .blocks)
    #expect(try reservation.room(for: 700, capacity: 400, width: 1) == 700)
    #expect(budget.bytesHeld == 1_000)
    #expect(throws: MemoryLimitError.self) {
      _ = try reservation.room(for: 800, capacity: 700, width: 1)
    }
    #expect(budget.bytesHeld == 1_000)
    _ = other
  }

  @Test("reservations from many tasks at once never pass the limit, and all come back")
  func concurrentReservations() async throws {
    let budget = MemoryBudget(limit: 100 * 1_024)
    // 8 tasks each try 50 reservations of 1 KB: exactly 100 fit.
    var granted = await withTaskGroup(of: [MemoryReservation].self) { group in
      for _ in 0..<8 {
        group.addTask {
          var held: [MemoryReservation] = []
          for _ in 0..<50 {
            if let reservation = try? budget.reserve(1_024, for: .blocks) {
              held.append(reservation)
            }
            await Task.yield()
          }
          return held
        }
      }
      var all: [MemoryReservation] = []
      for await held in group { all += held }
      return all
    }
    #expect(granted.count == 100)
    #expect(budget.bytesHeld == 100 * 1_024)
    // Freed from many tasks at once, everything comes back.
    var shares = (0..<8).map { index in
      granted.enumerated().filter { $0.offset % 8 == index }.map(\.element)
    }
    granted = []
    await withTaskGroup(of: Void.self) { group in
      for share in shares { group.addTask { withExtendedLifetime(share) {} } }
      shares = []
    }
    #expect(budget.bytesHeld == 0)
  }

  @Test("a node's blocks are counted when made and given back when it is freed")
  func blocks() throws {
    let context = RenderContext(blockSize: 256)
    var node: AudioNode? = try DelayNode(
      silence(frames: 800, context: context), delayFrames: 1_000, feedback: 0, mix: 0.5)
    // The delay line (1,000 frames of doubles) and the block it pulls its input into.
    #expect(context.memory.bytesHeld == 1_000 * 8 + 256 * 4)
    node = nil
    #expect(context.memory.bytesHeld == 0)
    _ = node
  }

  @Test("blocks that pass the limit are refused once, by the builder's check")
  func blockOverdraft() throws {
    let context = RenderContext(blockSize: 1_024, memoryLimit: 10_000)
    let input = silence(frames: 10, context: context)
    let buffers = (0..<3).map { _ in input.makeBuffer() }
    #expect(context.memory.bytesHeld == 3 * 4_096)
    do {
      try context.memory.requireWithinLimit(origin: 5)
      Issue.record("the blocks past the limit were not refused")
    } catch let error as MemoryLimitError {
      #expect(error.use == .blocks)
      #expect(error.requested == 4_096)
      #expect(error.held == 8_192)
      #expect(error.origin == 5)
    }
    // Reported once.
    try context.memory.requireWithinLimit()
    _ = buffers
  }

  @Test("a reverb's filter lines are counted")
  func reverbLines() throws {
    let context = RenderContext(blockSize: 64)
    let input = SilenceNode(sampleRate: 44_100, channelCount: 2, frameCount: 10, context: context)
    let reverb = try ReverbNode(input, room: 0.5, damp: 0.5, wet: 0.3)
    // Eight combs and four all-passes a channel, the right one's 23 frames longer each.
    let left = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617, 556, 441, 341, 225]
    let lines = left.reduce(0, +) * 2 + 12 * 23
    #expect(context.memory.bytesHeld == lines * 4 + 64 * 2 * 4)
    _ = reverb
    let small = RenderContext(blockSize: 64, memoryLimit: 100_000)
    let wide = SilenceNode(sampleRate: 384_000, channelCount: 1, frameCount: 10, context: small)
    #expect(throws: MemoryLimitError.self) {
      _ = try ReverbNode(wide, room: 0.5, damp: 0.5, wet: 0.3)
    }
  }

  @Test("a whole signal is refused before it renders when its length is known")
  func wholeSignal() async throws {
    let context = RenderContext(blockSize: 64, memoryLimit: 1_000)
    do {
      _ = try await MaterializedNode.make(silence(frames: 1_000, context: context), reversed: true)
      Issue.record("4,000 bytes were held at a limit of 1,000")
    } catch let error as MemoryLimitError {
      #expect(error.use == .wholeSignal)
      #expect(error.requested == 4_000)
    }
    #expect(context.memory.bytesHeld == 0)
  }

  @Test("the error says what the memory was for, how much it needed and what the run held")
  func wording() throws {
    let delay = MemoryLimitError(
      use: .part("the delay line"), holder: "delay", requested: 230 << 20, held: 80 << 20,
      limit: 100 << 20)
    #expect(
      delay.description
        == "the delay line of 'delay': that needs 230 MB of memory, more than the limit of "
        + "100 MB")
    let adsr = MemoryLimitError(
      use: .wholeSignal, holder: "adsr", requested: 30 << 20, held: 80 << 20, limit: 100 << 20)
    #expect(
      adsr.description
        == "'adsr' holds the whole signal: that needs 30 MB of memory, which with the 80 MB "
        + "the run holds already is more than the limit of 100 MB")
    let ring = MemoryLimitError(
      use: .named("the ring buffer of 'x', read at more than one place"), requested: 8_192,
      held: 0, limit: 4_096)
    #expect(
      ring.description
        == "the ring buffer of 'x', read at more than one place: that needs 8 KB of memory, "
        + "more than the limit of 4 KB")
    // A limit beyond the machine's memory is the machine's: the system would refuse
    // more, and end the process.
    let machine = MemoryBudget(limit: 1 << 30, machineMemory: 1 << 20)
    #expect(machine.limit == 1 << 20)
    do {
      _ = try machine.reserve(2 << 20, for: .part("the delay line"))
      Issue.record("more than the machine's memory was reserved")
    } catch {
      #expect(
        "\(error)"
          == "the delay line: that needs 2 MB of memory, more than the limit of 1 MB, the "
          + "memory of this machine")
    }
    #expect(MemoryBudget(limit: 1 << 20, machineMemory: 1 << 30).limit == 1 << 20)
    let huge = MemoryLimitError(use: .wholeSignal, requested: nil, held: 0, limit: 2 << 30)
    #expect(huge.description.contains("more memory than a number of bytes can say (over 8 EB)"))
    #expect(huge.description.contains("2.0 GB"))
  }
}
