import ASTTestSupport
import Foundation
import Testing

@testable import ASTCore

/// Reads a subscription to its end, as Ints.
func collectInts(_ subscription: Subscription) async -> [Int] {
  var values: [Int] = []
  for await message in subscription {
    if let value = message as? Int { values.append(value) }
  }
  return values
}

actor Counter {
  private(set) var value = 0
  func increment() { value += 1 }
}

/// Waits until `condition` holds, polling for at most `seconds`.
func eventually(
  within seconds: Double = 5, _ condition: @Sendable () async -> Bool
) async -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if await condition() { return true }
    try? await Task.sleep(nanoseconds: 2_000_000)
  }
  return await condition()
}

@Suite("Channels")
struct ChannelTests {
  @Test("a subscriber receives what is published, in order, and ends on close")
  func basic() async throws {
    let manager = ChannelManager()
    let subscription = try await manager.subscribe(to: "a")
    let reader = Task { await collectInts(subscription) }
    for value in 1...5 { try await manager.publish(value, to: "a") }
    await manager.closeChannel("a")
    #expect(await reader.value == [1, 2, 3, 4, 5])
  }

  @Test("every one of three subscribers receives every message")
  func fanOut() async throws {
    let manager = ChannelManager()
    var readers: [Task<[Int], Never>] = []
    for index in 0..<3 {
      let subscription = try await manager.subscribe(to: "fan", subscriberID: "s\(index)")
      readers.append(Task { await collectInts(subscription) })
    }
    for value in 0..<300 { try await manager.publish(value, to: "fan") }
    await manager.closeChannel("fan")
    for reader in readers {
      #expect(await reader.value == Array(0..<300))
    }
  }

  @Test("a late subscriber misses earlier messages; with no subscribers messages are dropped")
  func lateJoiner() async throws {
    let manager = ChannelManager()
    try await manager.publish(0, to: "late")
    let early = try await manager.subscribe(to: "late", subscriberID: "early")
    let earlyReader = Task { await collectInts(early) }
    try await manager.publish(1, to: "late")
    try await manager.publish(2, to: "late")
    let late = try await manager.subscribe(to: "late", subscriberID: "late")
    let lateReader = Task { await collectInts(late) }
    try await manager.publish(3, to: "late")
    await manager.closeChannel("late")
    #expect(await earlyReader.value == [1, 2, 3])
    #expect(await lateReader.value == [3])
  }

  @Test("a publisher waits for a slow reader with a small buffer, and nothing is lost")
  func backpressure() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("slow", bufferSize: 2)
    let subscription = try await manager.subscribe(to: "slow")
    let published = Counter()
    let publisher = Task {
      for value in 0..<40 {
        try await manager.publish(value, to: "slow")
        await published.increment()
      }
    }
    // Nobody reads yet: exactly two messages fit, the third publish waits.
    #expect(await eventually { await published.value == 2 })
    try await Task.sleep(nanoseconds: 50_000_000)
    #expect(await published.value == 2)

    var received: [Int] = []
    for await message in subscription {
      received.append(message as! Int)
      let ahead = await published.value - received.count
      #expect(ahead <= 2, "the publisher ran \(ahead) messages ahead of the reader")
      if received.count == 40 { break }
      try await Task.sleep(nanoseconds: 500_000)
    }
    try await publisher.value
    #expect(received == Array(0..<40))
  }

  @Test("close loses nothing: subscribers drain their buffers, then end")
  func closeDrains() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("drain", bufferSize: 3)
    let subscription = try await manager.subscribe(to: "drain")
    for value in 0..<3 { try await manager.publish(value, to: "drain") }
    await manager.closeChannel("drain")
    #expect(await collectInts(subscription) == [0, 1, 2])
  }

  @Test("a publisher waiting on a full buffer fails when the channel closes")
  func closeWhileWaiting() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("wait", bufferSize: 1)
    let subscription = try await manager.subscribe(to: "wait")
    try await manager.publish(1, to: "wait")
    let blocked = Task { try await manager.publish(2, to: "wait") }
    try await Task.sleep(nanoseconds: 20_000_000)
    await manager.closeChannel("wait")
    await #expect(throws: ChannelError.closed(channel: "wait")) { try await blocked.value }
    #expect(await collectInts(subscription) == [1])
  }

  @Test("publishing after close is an error with the contract's message")
  func publishAfterClose() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("done")
    await manager.closeChannel("done")
    await #expect(throws: ChannelError.closed(channel: "done")) {
      try await manager.publish(1, to: "done")
    }
    #expect(ChannelError.closed(channel: "done").description == "Channel done is closed")
  }

  @Test("subscribing to a closed channel yields nothing")
  func subscribeClosed() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("shut")
    await manager.closeChannel("shut")
    let subscription = try await manager.subscribe(to: "shut")
    #expect(await collectInts(subscription).isEmpty)
  }

  @Test("creating a channel that exists is an error unless replacing")
  func duplicateCreate() async throws {
    let manager = ChannelManager()
    let first = try await manager.createChannel("dup")
    let old = try await manager.subscribe(to: "dup")
    await #expect(throws: ChannelError.alreadyExists(channel: "dup")) {
      try await manager.createChannel("dup")
    }
    #expect(
      ChannelError.alreadyExists(channel: "dup").description == "Channel 'dup' already exists")
    let second = try await manager.createChannel("dup", replace: true)
    #expect(first !== second)
    #expect(await first.isClosed)
    #expect(await collectInts(old).isEmpty)
    #expect(await manager.existingChannel("dup") === second)
  }

  @Test("a typed channel rejects other types; get-or-create with another type is an error")
  func typed() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("audio", messageType: MessageType(AudioStream.self))
    let subscription = try await manager.subscribe(to: "audio")
    await #expect(
      throws: ChannelError.typeMismatch(channel: "audio", expected: "AudioStream", got: "String")
    ) {
      try await manager.publish("hello", to: "audio")
    }
    #expect(
      ChannelError.typeMismatch(channel: "audio", expected: "AudioStream", got: "String")
        .description == "Channel 'audio' expects messages of type AudioStream, got String")
    try await manager.publish(AudioStream(data: [1, 2]), to: "audio")
    await #expect(
      throws: ChannelError.typeConflict(channel: "audio", existing: "AudioStream", requested: "Int")
    ) {
      try await manager.channel("audio", messageType: MessageType(Int.self))
    }
    #expect(
      ChannelError.typeConflict(channel: "audio", existing: "AudioStream", requested: "Int")
        .description == "Channel 'audio' has type AudioStream, but Int was requested")
    // Asking for the same type, or for none, gives the existing channel.
    _ = try await manager.channel("audio", messageType: MessageType(AudioStream.self))
    _ = try await manager.channel("audio")
    await manager.closeChannel("audio")
    var streams: [AudioStream] = []
    for await stream in subscription.messages(of: AudioStream.self) { streams.append(stream) }
    #expect(streams == [AudioStream(data: [1, 2])])
  }

  @Test("subscribing twice with the same id is an error")
  func duplicateSubscriber() async throws {
    let manager = ChannelManager()
    let first = try await manager.subscribe(to: "ids", subscriberID: "me")
    await #expect(throws: ChannelError.duplicateSubscriber(channel: "ids", subscriberID: "me")) {
      try await manager.subscribe(to: "ids", subscriberID: "me")
    }
    // The first subscriber still works.
    let reader = Task { await collectInts(first) }
    try await manager.publish(7, to: "ids")
    await manager.closeChannel("ids")
    #expect(await reader.value == [7])
  }

  @Test("stats report subscribers, the closed flag and the type, per channel")
  func stats() async throws {
    let manager = ChannelManager()
    try await manager.createChannel(
      "typed", messageType: MessageType(AudioStream.self), bufferSize: 4)
    let a = try await manager.subscribe(to: "typed")
    let b = try await manager.subscribe(to: "typed")
    let c = try await manager.subscribe(to: "plain")
    var stats = await manager.stats()
    #expect(
      stats == [
        ChannelStats(
          name: "plain", subscriberCount: 1, isClosed: false, messageType: nil, bufferSize: 100),
        ChannelStats(
          name: "typed", subscriberCount: 2, isClosed: false, messageType: "AudioStream",
          bufferSize: 4),
      ])
    await manager.closeChannel("plain")
    stats = await manager.stats()
    #expect(stats[0].isClosed)
    #expect(stats[0].subscriberCount == 0)
    #expect(await manager.channelNames == ["plain", "typed"])
    withExtendedLifetime((a, b, c)) {}
  }

  @Test("closing the context closes every channel and ends every subscriber")
  func closeAll() async throws {
    let context = ProcessingContext()
    let one = try await context.channels.subscribe(to: "one")
    let two = try await context.channels.subscribe(to: "two")
    let readers = [Task { await collectInts(one) }, Task { await collectInts(two) }]
    try await context.channels.publish(1, to: "one")
    try await context.channels.publish(2, to: "two")
    await context.close()
    #expect(await readers[0].value == [1])
    #expect(await readers[1].value == [2])
    for stats in await context.channels.stats() { #expect(stats.isClosed) }
  }

  @Test("a cancelled subscriber is removed and no longer holds publishers up")
  func cancelledSubscriber() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("cancel", bufferSize: 1)
    let subscription = try await manager.subscribe(to: "cancel")
    let reader = Task { await collectInts(subscription) }
    try await Task.sleep(nanoseconds: 10_000_000)
    reader.cancel()
    _ = await reader.value
    #expect(await eventually { await manager.stats(for: "cancel")?.subscriberCount == 0 })
    for value in 0..<10 { try await manager.publish(value, to: "cancel") }
  }

  @Test("a subscription that is dropped unsubscribes")
  func droppedSubscription() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("drop", bufferSize: 1)
    do {
      let subscription = try await manager.subscribe(to: "drop")
      #expect(subscription.subscriberID.isEmpty == false)
    }
    #expect(await eventually { await manager.stats(for: "drop")?.subscriberCount == 0 })
    for value in 0..<10 { try await manager.publish(value, to: "drop") }
  }

  @Test("two tasks reading one subscription share its messages; none is lost or repeated")
  func twoReaders() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("shared", bufferSize: 4)
    let subscription = try await manager.subscribe(to: "shared")
    let readers = [
      Task { await collectInts(subscription) }, Task { await collectInts(subscription) },
    ]
    try await Task.sleep(nanoseconds: 10_000_000)
    for value in 0..<200 { try await manager.publish(value, to: "shared") }
    await manager.closeChannel("shared")
    let received = await readers[0].value + readers[1].value
    #expect(received.sorted() == Array(0..<200))
  }

  @Test("a cancelled subscription never ends a later subscriber that reuses its id")
  func staleSubscription() async throws {
    let manager = ChannelManager()
    var first: Subscription? = try await manager.subscribe(to: "reuse", subscriberID: "a")
    await first?.cancel()
    let second = try await manager.subscribe(to: "reuse", subscriberID: "a")
    first = nil
    try await Task.sleep(nanoseconds: 20_000_000)
    #expect(await manager.stats(for: "reuse")?.subscriberCount == 1)
    let reader = Task { await collectInts(second) }
    try await manager.publish(5, to: "reuse")
    await manager.closeChannel("reuse")
    #expect(await reader.value == [5])
    #expect(first == nil)
  }

  @Test("concurrent replacements leave one open channel and close the others")
  func concurrentReplace() async throws {
    let manager = ChannelManager()
    let channels = try await withThrowingTaskGroup(of: Channel.self) { group in
      for _ in 0..<8 {
        group.addTask { try await manager.createChannel("r", replace: true) }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    let current = try #require(await manager.existingChannel("r"))
    for channel in channels where channel !== current {
      #expect(await channel.isClosed)
    }
    #expect(await current.isClosed == false)
  }

  @Test("a buffer size below 1 is refused")
  func invalidBuffer() async {
    let manager = ChannelManager()
    await #expect(throws: ChannelError.invalidBufferSize(channel: "zero", size: 0)) {
      try await manager.createChannel("zero", bufferSize: 0)
    }
  }

  @Test("four publishers and three subscribers: nothing lost, order kept per publisher")
  func concurrentLoad() async throws {
    let manager = ChannelManager()
    try await manager.createChannel("load", bufferSize: 8)
    var readers: [Task<[Int], Never>] = []
    for _ in 0..<3 {
      let subscription = try await manager.subscribe(to: "load")
      readers.append(Task { await collectInts(subscription) })
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for publisher in 0..<4 {
        group.addTask {
          for sequence in 0..<500 {
            try await manager.publish(publisher * 10_000 + sequence, to: "load")
          }
        }
      }
      try await group.waitForAll()
    }
    await manager.closeChannel("load")
    for reader in readers {
      let values = await reader.value
      #expect(values.count == 2_000)
      for publisher in 0..<4 {
        let mine = values.filter { $0 / 10_000 == publisher }.map { $0 % 10_000 }
        #expect(mine == Array(0..<500))
      }
    }
  }
}
