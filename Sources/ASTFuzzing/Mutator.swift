/// Changes scripts at random: byte flips, insertions, deletions, repeats, line splices
/// from other scripts, and swaps of numbers and names for ones that test the limits.
public enum Mutator {
  /// The longest input a mutation makes; longer results are cut.
  public static let maximumLength = 64 * 1024

  static let interestingBytes: [UInt8] =
    Array("\n\r\t \"\\#|>-+*/()[],:;=0.e".utf8) + [
      0x00, 0x7F, 0xFF, 0xC3, 0x80, 0xEF,
    ]

  static let interestingNumbers = [
    "0", "-0", "1e308", "1e309", "-1e308", "4.9e-324", "99999999999999999999", "0.0000001",
    "24000", "768000", "768001", "-1", "1e15", "9007199254740993", "1e-3", "2147483648",
    "9223372036854775808", "0.", "1e", "1e+", "00", "1.5",
  ]

  /// `bytes` changed by one to eight random mutations; `others` are scripts that lines
  /// may be spliced in from.
  public static func mutate(_ bytes: [UInt8], others: [[UInt8]], random: inout FuzzRandom)
    -> [UInt8]
  {
    var bytes = bytes
    for _ in 0..<random.within(1...8) {
      mutateOnce(&bytes, others: others, random: &random)
    }
    if bytes.count > maximumLength { bytes.removeLast(bytes.count - maximumLength) }
    return bytes
  }

  static func mutateOnce(_ bytes: inout [UInt8], others: [[UInt8]], random: inout FuzzRandom) {
    let position = random.below(bytes.count + 1)
    switch random.below(14) {
    case 0 where !bytes.isEmpty:
      let index = min(position, bytes.count - 1)
      bytes[index] ^= 1 << UInt8(random.below(8))
    case 1 where !bytes.isEmpty:
      bytes[min(position, bytes.count - 1)] = random.pick(interestingBytes)
    case 2:
      bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
    case 3:
      bytes.insert(contentsOf: Array(random.pick(ScriptGenerator.pieces).utf8), at: position)
    case 4 where !bytes.isEmpty:
      let end = min(bytes.count, position + random.within(1...16))
      bytes.removeSubrange(position..<end)
    case 5:
      let end = min(bytes.count, position + random.below(32))
      bytes.insert(contentsOf: bytes[position..<end], at: position)
    case 6:
      spliceLines(&bytes, from: others.isEmpty ? [bytes] : others, random: &random)
    case 7:
      editLines(&bytes, random: &random)
    case 8:
      replaceNumber(&bytes, random: &random)
    case 9:
      replaceName(&bytes, random: &random)
    case 10 where !bytes.isEmpty:
      bytes.removeLast(random.below(bytes.count))
    case 11:
      bytes.insert(contentsOf: random.pick(ScriptGenerator.oddBytes), at: position)
    case 12:
      // A bracket or quote that opens or closes something.
      bytes.insert(random.pick(Array("()[]\"".utf8)), at: position)
    default:
      bytes.insert(random.pick(interestingBytes), at: position)
    }
  }

  /// The lines of a text, each with its line break.
  static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      lines.append(bytes[start...index])
      start = index + 1
    }
    if start < bytes.count { lines.append(bytes[start...]) }
    return lines
  }

  /// Inserts one to four consecutive lines of another script between two lines.
  static func spliceLines(
    _ bytes: inout [UInt8], from others: [[UInt8]], random: inout FuzzRandom
  ) {
    let donor = lines(random.pick(others))
    guard !donor.isEmpty else { return }
    let first = random.below(donor.count)
    let last = min(donor.count, first + random.within(1...4))
    var piece = Array(donor[first..<last].joined())
    if piece.last != UInt8(ascii: "\n") { piece.append(UInt8(ascii: "\n")) }
    var target = lines(bytes)
    target.insert(piece[...], at: random.below(target.count + 1))
    bytes = Array(target.joined())
  }

  /// Deletes, repeats or swaps whole lines.
  static func editLines(_ bytes: inout [UInt8], random: inout FuzzRandom) {
    var target = lines(bytes)
    guard !target.isEmpty else { return }
    let index = random.below(target.count)
    switch random.below(3) {
    case 0: target.remove(at: index)
    case 1: target.insert(target[index], at: index)
    default: target.swapAt(index, random.below(target.count))
    }
    bytes = Array(target.joined())
  }

  /// The ranges of runs of bytes for which `test` holds.
  static func runs(in bytes: [UInt8], where test: (UInt8) -> Bool) -> [Range<Int>] {
    var runs: [Range<Int>] = []
    var start: Int?
    for (index, byte) in bytes.enumerated() {
      if test(byte) {
        if start == nil { start = index }
      } else if let first = start {
        runs.append(first..<index)
        start = nil
      }
    }
    if let first = start { runs.append(first..<bytes.count) }
    return runs
  }

  static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  static func isNameByte(_ byte: UInt8) -> Bool {
    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
  }

  /// Replaces the digits of one number with a number at the edge of what is valid.
  static func replaceNumber(_ bytes: inout [UInt8], random: inout FuzzRandom) {
    let numbers = runs(in: bytes) { isDigit($0) || $0 == UInt8(ascii: ".") }
    guard !numbers.isEmpty else { return }
    bytes.replaceSubrange(random.pick(numbers), with: Array(random.pick(interestingNumbers).utf8))
  }

  /// Replaces one name with a builtin's name, a parameter label or another name in the
  /// script.
  static func replaceName(_ bytes: inout [UInt8], random: inout FuzzRandom) {
    let names = runs(in: bytes, where: isNameByte)
    guard !names.isEmpty else { return }
    let replacement: [UInt8]
    if random.percent(50) {
      replacement = Array(bytes[random.pick(names)])
    } else {
      let piece = random.pick(ScriptGenerator.pieces)
      replacement = Array(piece.utf8)
    }
    bytes.replaceSubrange(random.pick(names), with: replacement)
  }
}
