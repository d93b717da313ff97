namespace RunnerTokens;

/// <summary>The result of one check of one runner.</summary>
/// <param name="RunnerName">The runner's name.</param>
/// <param name="Outcome">What the check did.</param>
/// <param name="Reason">Why: the decision, in the words of the log line.</param>
public sealed record RunnerRefreshResult(string RunnerName, RefreshOutcome Outcome, string Reason);
