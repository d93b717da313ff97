namespace RunnerTokens.TestKit.GitHub;

/// <summary>One request the fake GitHub API received, and how it answered.</summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(string method, string path, string query, IReadOnlyDictionary<string, string> headers, DateTimeOffset receivedAt)
    {
        Method = method;
        Path = path;
        Query = query;
        Headers = headers;
        ReceivedAt = receivedAt;
    }

    public string Method { get; }

    /// <summary>Gets the path as sent, with <c>/api/v3</c> when the client used the GitHub Enterprise Server layout.</summary>
    public string Path { get; }

    /// <summary>Gets the query string, with its leading <c>?</c>, or empty.</summary>
    public string Query { get; }

    /// <summary>Gets the request headers (names lower case). Test data only: holds the Authorization header.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Gets when it arrived, on the fake's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Gets the status the fake answered with.</summary>
    public int StatusCode { get; internal set; }

    /// <summary>Gets the request body as text (empty when none). Test data only: it may hold a public key.</summary>
    public string Body { get; internal set; } = string.Empty;

    /// <summary>Gets the scheme of the Authorization header (<c>Bearer</c>, <c>token</c>, <c>RemoteAuth</c>), or <see langword="null"/>.</summary>
    public string? AuthorizationScheme =>
        Headers.TryGetValue("authorization", out var value) && value.IndexOf(' ', StringComparison.Ordinal) is > 0 and var space
            ? value[..space]
            : null;

    /// <summary>Gets the credential after the scheme (<c>Bearer </c>, <c>token </c>, <c>RemoteAuth </c>), or <see langword="null"/>.</summary>
    public string? BearerToken =>
        Headers.TryGetValue("authorization", out var value) && value.IndexOf(' ', StringComparison.Ordinal) is > 0 and var space
            ? value[(space + 1)..]
            : null;

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    public override string ToString() => $"{Method} {Path}{Query} -> {StatusCode}";
}
