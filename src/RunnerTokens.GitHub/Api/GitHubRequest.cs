namespace RunnerTokens.GitHub;

/// <summary>One REST call: where, with which credential, and what the caller needs from it (for the error message).</summary>
internal sealed record GitHubRequest(HttpMethod Method, Uri ApiRoot, string Path, GitHubCredential Credential)
{
    public const string CoreResource = "core";

    public const string RunnerRegistrationResource = "actions_runner_registration";

    /// <summary>Gets the runners' scope the call is made for, when it is made for one: its rate limits are shown per runner.</summary>
    public RunnerScope? Scope { get; init; }

    /// <summary>Gets the query parameters.</summary>
    public IDictionary<string, string>? Query { get; init; }

    /// <summary>Gets a value indicating whether a stored answer may be revalidated with its ETag (GET only).</summary>
    public bool Conditional { get; init; }

    /// <summary>Gets what the endpoint needs from the credential, said when GitHub answers 401, 403 or 404.</summary>
    public string PermissionHint { get; init; } = string.Empty;

    /// <summary>Gets what a 404 means for this call, when it means something more precise than "not found".</summary>
    public string? NotFoundHint { get; init; }

    /// <summary>
    /// Gets GitHub's rate-limit bucket of the endpoint (<c>x-ratelimit-resource</c>): <c>core</c>, or
    /// <c>actions_runner_registration</c> for registration and remove tokens.
    /// </summary>
    public string RateLimitResource { get; init; } = CoreResource;

    public string Operation => $"{Method.Method} {new Uri(ApiRoot, Path).AbsolutePath}";

    // The credential is left out: the record's generated text would otherwise show its description only, but be explicit.
    public override string ToString() => Operation;
}
