/// The sample rates that scripts render at.
public enum SampleRates {
  /// The rates, in Hz, that a script, its builtins and `ast run --rate` accept: 1 Hz to
  /// 768 kHz. (Streams and segments take any rate up to
  /// ``ProcessingContext/maximumSampleRate``.)
  public static let supported: ClosedRange<Int> = 1...768_000
}
