using System.Collections.Concurrent;
using System.Globalization;

namespace RunnerTokens.GitHub;

/// <summary>
/// What GitHub last said of its rate limits (<c>x-ratelimit-remaining</c>, <c>x-ratelimit-resource</c>) in its answers
/// to calls made for a runner's scope (its token endpoints, its runner listing), for the Prometheus file. Kept in
/// memory only: a process that made no call for a scope knows nothing, and the file keeps the value it had.
/// </summary>
internal sealed class GitHubRateLimitSource : IRateLimitSource
{
    private readonly ConcurrentDictionary<(RunnerScope Scope, string Resource), RateLimitStatus> _seen = new();

    public IReadOnlyList<RateLimitStatus> GetRateLimits(RunnerContext runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        List<RateLimitStatus>? found = null;
        foreach (var ((scope, _), status) in _seen)
        {
            if (scope == runner.Scope)
            {
                (found ??= []).Add(status);
            }
        }

        return found ?? (IReadOnlyList<RateLimitStatus>)[];
    }

    /// <summary>Remembers what an answer's headers say of the bucket of a call made for <paramref name="scope"/>.</summary>
    public void Observe(RunnerScope? scope, string defaultResource, string? remaining, string? resource)
    {
        if (scope is null || !long.TryParse(remaining, NumberStyles.None, CultureInfo.InvariantCulture, out var left))
        {
            return;
        }

        var bucket = string.IsNullOrWhiteSpace(resource) ? defaultResource : resource.Trim();
        _seen[(scope, bucket)] = new RateLimitStatus(bucket, left);
    }
}
