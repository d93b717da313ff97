using System.Diagnostics.CodeAnalysis;

namespace RunnerTokens;

/// <summary>
/// The scope a runner is registered in, as its URL tells: an organisation, a repository or an enterprise,
/// on github.com, a GitHub Enterprise Server host or a <c>*.ghe.com</c> host.
/// </summary>
public sealed record RunnerScope
{
    private RunnerScope(RunnerScopeKind kind, Uri serverUrl, string owner, string? repository)
    {
        Kind = kind;
        ServerUrl = serverUrl;
        Owner = owner;
        Repository = repository;
    }

    /// <summary>Gets the kind of scope.</summary>
    public RunnerScopeKind Kind { get; }

    /// <summary>Gets the web root of the GitHub instance, such as <c>https://github.com/</c>.</summary>
    public Uri ServerUrl { get; }

    /// <summary>Gets the organisation, the repository owner, or the enterprise slug.</summary>
    public string Owner { get; }

    /// <summary>Gets the repository name for a repository scope; otherwise <see langword="null"/>.</summary>
    public string? Repository { get; }

    /// <summary>
    /// Gets the REST path of the scope: <c>orgs/ORG</c>, <c>repos/OWNER/REPO</c> or <c>enterprises/ENT</c>.
    /// </summary>
    public string ApiPath => Kind switch
    {
        RunnerScopeKind.Organization => $"orgs/{Owner}",
        RunnerScopeKind.Repository => $"repos/{Owner}/{Repository}",
        _ => $"enterprises/{Owner}",
    };

    /// <summary>Gets the scope as written in a runner URL path: <c>ORG</c>, <c>OWNER/REPO</c> or <c>enterprises/ENT</c>.</summary>
    public string DisplayName => Kind switch
    {
        RunnerScopeKind.Organization => Owner,
        RunnerScopeKind.Repository => $"{Owner}/{Repository}",
        _ => $"enterprises/{Owner}",
    };

    /// <summary>Reads the scope from a runner URL such as <c>https://github.com/my-org</c>.</summary>
    /// <param name="url">The URL given to <c>config.sh --url</c>.</param>
    /// <param name="scope">The scope, when the URL is one.</param>
    /// <param name="error">Why the URL is not a runner URL, when it is not.</param>
    /// <returns><see langword="true"/> when <paramref name="url"/> names a scope.</returns>
    public static bool TryParse(string? url, [NotNullWhen(true)] out RunnerScope? scope, [NotNullWhen(false)] out string? error)
    {
        scope = null;
        if (string.IsNullOrWhiteSpace(url)
            || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            error = "expected an absolute http(s) URL such as https://github.com/ORG, https://github.com/OWNER/REPO or https://github.com/enterprises/ENTERPRISE";
            return false;
        }

        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var server = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        switch (segments.Length)
        {
            case 1 when !IsReserved(segments[0]):
                scope = new RunnerScope(RunnerScopeKind.Organization, server, segments[0], null);
                break;
            case 2 when string.Equals(segments[0], "enterprises", StringComparison.OrdinalIgnoreCase):
                scope = new RunnerScope(RunnerScopeKind.Enterprise, server, segments[1], null);
                break;
            case 2 when !IsReserved(segments[0]):
                scope = new RunnerScope(RunnerScopeKind.Repository, server, segments[0], segments[1]);
                break;
            default:
                error = $"the path '{uri.AbsolutePath}' names no organisation, repository or enterprise; expected /ORG, /OWNER/REPO or /enterprises/ENTERPRISE";
                return false;
        }

        error = null;
        return true;
    }

    /// <summary>Reads the scope from a runner URL, or throws.</summary>
    /// <param name="url">The URL given to <c>config.sh --url</c>.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="FormatException">The URL names no scope.</exception>
    public static RunnerScope Parse(string url) =>
        TryParse(url, out var scope, out var error) ? scope : throw new FormatException($"'{url}' is not a runner URL: {error}.");

    /// <inheritdoc />
    public override string ToString() => new Uri(ServerUrl, DisplayName).ToString();

    private static bool IsReserved(string segment) =>
        string.Equals(segment, "enterprises", StringComparison.OrdinalIgnoreCase)
        || string.Equals(segment, "api", StringComparison.OrdinalIgnoreCase);
}
