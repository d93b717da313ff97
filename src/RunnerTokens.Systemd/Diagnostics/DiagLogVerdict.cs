namespace RunnerTokens.Systemd;

/// <summary>What the newest listener log says about the registration.</summary>
/// <param name="Terminal">Whether the listener's latest word is a terminal exit, logged after the last registration.</param>
/// <param name="Explanation">What was read, for the logs and the dry-run plan.</param>
/// <param name="Doubtful">
/// Whether the logs show no listener running the current registration: none at all, or only one that gave up before the
/// runner was registered again. Not a terminal exit, but worth asking GitHub about now.
/// </param>
internal sealed record DiagLogVerdict(bool Terminal, string Explanation, bool Doubtful = false);
