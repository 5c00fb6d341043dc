import ASTCore
import Foundation
import Synchronization
import Testing

/// Resumes a continuation once, with whichever result comes first.
private final class Race<Value: Sendable>: Sendable {
  private let continuation = Mutex<CheckedContinuation<Value?, any Error>?>(nil)

  func start(_ continuation: CheckedContinuation<Value?, any Error>) {
    self.continuation.withLock { $0 = continuation }
  }

  func finish(_ result: Result<Value?, any Error>) {
    continuation.withLock { $0.take() }?.resume(with: result)
  }
}

/// Runs `operation` for at most `limit`: its value, or `nil` when time ran out. The
/// operation is then cancelled and left behind, so a deadlock fails a test instead of
/// hanging the run.
func withDeadline<Value: Sendable>(
  _ limit: Duration, _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value? {
  let race = Race<Value>()
  var tasks: [Task<Void, Never>] = []
  let value = try await withCheckedThrowingContinuation { continuation in
    race.start(continuation)
    tasks.append(
      Task {
        do {
          race.finish(.success(try await operation()))
        } catch {
          race.finish(.failure(error))
        }
      })
    tasks.append(
      Task {
        try? await Task.sleep(for: limit)
        race.finish(.success(nil))
      })
  }
  for task in tasks { task.cancel() }
  return value
}

/// A small chunk that says who sent it and its place in that sender's sequence: the
/// publisher in byte 0, the sequence number in bytes 1 and 2, a check byte after them,
/// and the same place in its timestamp.
func loadChunk(publisher: Int, sequence: Int) -> AudioStream {
  let check = UInt8(truncatingIfNeeded: publisher &* 31 &+ sequence &* 7)
  return AudioStream(
    data: [UInt8(publisher), UInt8(sequence & 0xFF), UInt8(sequence >> 8), check],
    sampleRate: 8_000,
    timestamp: Timestamp(start: Double(sequence) / 1000, end: Double(sequence + 1) / 1000))
}

/// The publisher and sequence number of a chunk made by ``loadChunk(publisher:sequence:)``,
/// or `nil` when the chunk arrived damaged.
func loadChunkPlace(_ chunk: AudioStream) -> (publisher: Int, sequence: Int)? {
  guard chunk.data.count == 4 else { return nil }
  let publisher = Int(chunk.data[0])
  let sequence = Int(chunk.data[1]) | Int(chunk.data[2]) << 8
  guard chunk == loadChunk(publisher: publisher, sequence: sequence) else { return nil }
  return (publisher, sequence)
}

@Suite("Channels under load")
struct ChannelLoadTests {
  static let publishers = 8
  static let subscribers = 8
  static let chunks = 10_000

  /// A buffer of one makes every publisher wait for every subscriber; a larger one lets
  /// them run ahead.
  @Test(
    "eight publishers and eight subscribers exchange 10,000 chunks each: nothing lost, order kept per publisher, no deadlock",
    arguments: [1, 64])
  func eightByEight(bufferSize: Int) async throws {
    let manager = ChannelManager()
    try await manager.createChannel(
      "load", messageType: MessageType(AudioStream.self), bufferSize: bufferSize)
    var subscriptions: [Subscription] = []
    for index in 0..<Self.subscribers {
      subscriptions.append(try await manager.subscribe(to: "load", subscriberID: "reader-\(index)"))
    }
    let received = try await withDeadline(.seconds(120)) { [subscriptions] in
      try await withThrowingTaskGroup(of: (Int, [AudioStream]).self) { group in
        for (index, subscription) in subscriptions.enumerated() {
          group.addTask {
            var chunks: [AudioStream] = []
            chunks.reserveCapacity(Self.publishers * Self.chunks)
            for await chunk in subscription.messages(of: AudioStream.self) { chunks.append(chunk) }
            return (index, chunks)
          }
        }
        try await withThrowingTaskGroup(of: Void.self) { publishers in
          for publisher in 0..<Self.publishers {
            publishers.addTask {
              for sequence in 0..<Self.chunks {
                try await manager.publish(
                  loadChunk(publisher: publisher, sequence: sequence), to: "load")
              }
            }
          }
          try await publishers.waitForAll()
        }
        await manager.closeChannel("load")
        var received = [[AudioStream]](repeating: [], count: Self.subscribers)
        for try await (index, chunks) in group { received[index] = chunks }
        return received
      }
    }
    let all = try #require(received, "no result after 120 s: the channel deadlocked")
    for (index, chunks) in all.enumerated() {
      #expect(chunks.count == Self.publishers * Self.chunks, "reader-\(index) lost chunks")
      var next = [Int](repeating: 0, count: Self.publishers)
      var damaged = 0
      var outOfOrder = 0
      for chunk in chunks {
        guard let place = loadChunkPlace(chunk), place.publisher < Self.publishers else {
          damaged += 1
          continue
        }
        if place.sequence != next[place.publisher] { outOfOrder += 1 }
        next[place.publisher] = place.sequence + 1
      }
      #expect(damaged == 0, "reader-\(index) received \(damaged) damaged chunks")
      #expect(outOfOrder == 0, "reader-\(index) received \(outOfOrder) chunks out of order")
      #expect(next == [Int](repeating: Self.chunks, count: Self.publishers))
      // One channel orders its messages once: every subscriber sees the same order.
      #expect(chunks == all[0], "reader-\(index) saw another order than reader-0")
    }
    let stats = await manager.stats(for: "load")
    #expect(stats?.isClosed == true)
    #expect(stats?.subscriberCount == 0)
  }
}
