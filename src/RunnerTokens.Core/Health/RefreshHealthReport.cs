namespace RunnerTokens;

/// <summary>The health of the refresher as its metrics file tells it.</summary>
/// <param name="Status">The status; its number is the monitoring plugin's exit code.</param>
/// <param name="Message">One line in the seed script's words, such as <c>OK: Token refresh healthy</c>.</param>
public sealed record RefreshHealthReport(RefreshHealthStatus Status, string Message)
{
    /// <summary>Gets the runner the metrics file is about, as the file names it.</summary>
    /// <value><see langword="null"/> when the file is missing, unreadable or names no runner.</value>
    public string? RunnerName { get; init; }

    /// <summary>Gets how long ago the last check was.</summary>
    /// <value><see langword="null"/> when no check has been recorded.</value>
    public TimeSpan? LastCheckAge { get; init; }

    /// <summary>Gets the number of refreshes that failed in a row.</summary>
    /// <value><see langword="null"/> when the file is missing or unreadable.</value>
    public int? ConsecutiveFailures { get; init; }
}
