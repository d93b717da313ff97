namespace RunnerTokens;

/// <summary>
/// Tells what is left of the API rate limits a runner's calls draw on, as the API last said, for metrics (the
/// Prometheus file's <c>runner_token_refresh_github_rate_limit_remaining</c>). Asked once per runner per check; it
/// answers from memory and never calls the API itself. A source that throws is logged and the gauge left as it was.
/// </summary>
public interface IRateLimitSource
{
    /// <summary>Gets the limits the API last announced for calls made for <paramref name="runner"/>, one per bucket; empty when none is known.</summary>
    /// <param name="runner">The runner.</param>
    /// <returns>What is left of each bucket, as last seen.</returns>
    IReadOnlyList<RateLimitStatus> GetRateLimits(RunnerContext runner);
}
