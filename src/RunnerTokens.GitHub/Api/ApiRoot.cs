using System.Diagnostics.CodeAnalysis;

namespace RunnerTokens.GitHub;

/// <summary>Where the REST API of a GitHub instance is, always ending with a slash so relative paths append to it.</summary>
internal static class ApiRoot
{
    public static readonly Uri GitHubCom = new("https://api.github.com/");

    /// <summary>The API root for a runner scope: the configured one, else derived from the runner URL's host.</summary>
    public static Uri For(RunnerScope scope, string? configured)
    {
        if (configured is not null && TryParse(configured, out var root))
        {
            return root;
        }

        var server = scope.ServerUrl;
        var host = server.IdnHost;
        if (string.Equals(host, "github.com", StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, "www.github.com", StringComparison.OrdinalIgnoreCase))
        {
            return GitHubCom;
        }

        if (host.EndsWith(".ghe.com", StringComparison.OrdinalIgnoreCase))
        {
            // GitHub Enterprise Cloud with data residency: the API is on the api. subdomain, no path.
            return new Uri($"{server.Scheme}://api.{server.Authority}/");
        }

        // GitHub Enterprise Server serves the REST API under /api/v3 on its own host.
        return new Uri($"{server.Scheme}://{server.Authority}/api/v3/");
    }

    public static bool TryParse(string? value, [NotNullWhen(true)] out Uri? root)
    {
        root = null;
        if (string.IsNullOrWhiteSpace(value)
            || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.Query))
        {
            return false;
        }

        var text = uri.GetLeftPart(UriPartial.Path);
        root = new Uri(text.EndsWith('/') ? text : text + "/");
        return true;
    }
}
