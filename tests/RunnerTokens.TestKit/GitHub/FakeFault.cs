namespace RunnerTokens.TestKit.GitHub;

/// <summary>A misbehaviour the fake GitHub API shows for matching requests, as many times as it was injected.</summary>
public sealed record FakeFault
{
    private FakeFault(FakeFaultKind kind)
    {
        Kind = kind;
    }

    public FakeFaultKind Kind { get; }

    public int StatusCode { get; init; } = 200;

    public string? Message { get; init; }

    public int? RetryAfterSeconds { get; init; }

    public DateTimeOffset? ResetAt { get; init; }

    public TimeSpan Delay { get; init; }

    /// <summary>A server error (5xx by default) with GitHub's JSON error body.</summary>
    public static FakeFault ServerError(int statusCode = 502) =>
        new(FakeFaultKind.Status) { StatusCode = statusCode, Message = "Server Error" };

    /// <summary>Any status with GitHub's JSON error body (<c>{"message": …}</c>).</summary>
    public static FakeFault Status(int statusCode, string message) =>
        new(FakeFaultKind.Status) { StatusCode = statusCode, Message = message };

    /// <summary>GitHub's secondary rate limit: 403 (or 429), "You have exceeded a secondary rate limit", with <c>Retry-After</c> when given.</summary>
    public static FakeFault SecondaryRateLimit(int statusCode = 403, int? retryAfterSeconds = 60) =>
        new(FakeFaultKind.SecondaryRateLimit)
        {
            StatusCode = statusCode,
            RetryAfterSeconds = retryAfterSeconds,
            Message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        };

    /// <summary>GitHub's primary rate limit: 403, <c>x-ratelimit-remaining: 0</c>, <c>x-ratelimit-reset</c> at <paramref name="resetAt"/>.</summary>
    public static FakeFault PrimaryRateLimit(DateTimeOffset resetAt, int statusCode = 403) =>
        new(FakeFaultKind.PrimaryRateLimit) { StatusCode = statusCode, ResetAt = resetAt, Message = "API rate limit exceeded for installation ID 1." };

    /// <summary>Answers normally after <paramref name="delay"/> of real time, unless the client gives up first.</summary>
    public static FakeFault Slow(TimeSpan delay) => new(FakeFaultKind.Slow) { Delay = delay };

    /// <summary>A 200/201 whose body is not JSON, declared as <c>application/json</c>.</summary>
    public static FakeFault BadJson() => new(FakeFaultKind.BadJson);

    /// <summary>A 200 answer as a misconfigured proxy gives: HTML.</summary>
    public static FakeFault Html() => new(FakeFaultKind.Html);
}

public enum FakeFaultKind
{
    Status,
    SecondaryRateLimit,
    PrimaryRateLimit,
    Slow,
    BadJson,
    Html,
}
