import Foundation

/// How numbers are written for people: one format for summaries, `print`, the session,
/// `ast info` and diagnostics.
public enum NumberText {
  /// A plain number: a whole number as such (`42`), anything else to six significant
  /// digits (`0.333333`, `1.5e-07`); `inf`, `-inf` and `nan` as themselves.
  public static func plain(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(format: "%.6g", value)
  }

  /// A level in decibels to two decimals (`-6.02`, `0.00`, `-inf`): how summaries show
  /// peaks and RMS.
  public static func decibels(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
    let text = String(format: "%.2f", value)
    return text == "-0.00" ? "0.00" : text
  }

  /// A length of time in seconds to three decimals (`2.000`): how summaries show
  /// durations.
  public static func seconds(_ value: Double) -> String {
    String(format: "%.3f", value)
  }

  /// A length of time in seconds to at most three decimals, without trailing zeros
  /// (`1.5`, `20`, `0.005`): how picture axes show times.
  public static func shortSeconds(_ value: Double) -> String {
    var text = seconds(value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// A channel count in words: `mono`, `stereo`, `N channels`.
  public static func channels(_ count: Int) -> String {
    switch count {
    case 1: "mono"
    case 2: "stereo"
    default: "\(count) channels"
    }
  }

  /// A signal's rate and channels: `48000 Hz, stereo`.
  public static func rateAndChannels(sampleRate: Int, channelCount: Int) -> String {
    "\(sampleRate) Hz, \(channels(channelCount))"
  }

  /// A signal's levels in dBFS: `peak -6.02 dBFS, RMS -9.03 dBFS`.
  public static func levels(peakDBFS: Double, rmsDBFS: Double) -> String {
    "peak \(decibels(peakDBFS)) dBFS, RMS \(decibels(rmsDBFS)) dBFS"
  }
}
