namespace RunnerTokens;

/// <summary>The health of the refresher as its metrics file tells it.</summary>
/// <param name="Status">The status; its number is the monitoring plugin's exit code.</param>
/// <param name="Message">One line in the seed script's words, such as <c>OK: Token refresh healthy</c>.</param>
public sealed record RefreshHealthReport(RefreshHealthStatus Status, string Message);
