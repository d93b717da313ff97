namespace RunnerTokens.Systemd;

/// <summary>What the newest listener log says about the registration.</summary>
/// <param name="Terminal">Whether the listener's latest word is a terminal exit, logged after the last registration.</param>
/// <param name="Explanation">What was read, for the logs and the dry-run plan.</param>
internal sealed record DiagLogVerdict(bool Terminal, string Explanation);
