/// Finding the nearest name for "did you mean".
package enum Spelling {
  /// The candidate closest to `name` by edit distance, if close enough to be a typo.
  package static func nearest(to name: String, among candidates: [String]) -> String? {
    let limit = max(1, name.count / 3)
    var best: (name: String, distance: Int)?
    guard name.count <= 64 else { return nil }
    for candidate in Set(candidates) where candidate != name {
      if abs(candidate.count - name.count) > limit { continue }
      let distance = editDistance(name, candidate)
      if distance <= limit,
        best.map({ distance < $0.distance || (distance == $0.distance && candidate < $0.name) })
          ?? true
      {
        best = (candidate, distance)
      }
    }
    return best?.name
  }

  /// The Levenshtein distance between two strings, by characters.
  package static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
