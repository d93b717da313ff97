namespace RunnerTokens;

/// <summary>What is left of one API rate-limit bucket, as the API last said (GitHub's <c>x-ratelimit-*</c> headers).</summary>
/// <param name="Resource">The bucket (<c>x-ratelimit-resource</c>): <c>core</c>, <c>actions_runner_registration</c>.</param>
/// <param name="Remaining">The calls left in the bucket (<c>x-ratelimit-remaining</c>).</param>
public sealed record RateLimitStatus(string Resource, long Remaining);
