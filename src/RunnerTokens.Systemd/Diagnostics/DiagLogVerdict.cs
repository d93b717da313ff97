namespace RunnerTokens.Systemd;

/// <summary>What the newest listener log says about the registration.</summary>
/// <param name="Deleted">Whether the listener's latest word is that the registration is gone from the server, after the last registration.</param>
/// <param name="Explanation">What was read, for the logs and the dry-run plan.</param>
internal sealed record DiagLogVerdict(bool Deleted, string Explanation);
