namespace RunnerTokens.GitHub.Tests;

/// <summary>
/// Sends every request to the fake GitHub API on loopback whatever its host (api.github.com, api.NAME.ghe.com, a GHES
/// host), keeping the path, and tells the fake the original scheme and host in <c>X-Original-Host</c>.
/// </summary>
internal sealed class LoopbackRoutingHandler : DelegatingHandler
{
    private readonly Uri _target;

    public LoopbackRoutingHandler(Uri target)
    {
        _target = target;
        InnerHandler = GitHubApiClient.CreateHandler();
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri!;
        request.Headers.TryAddWithoutValidation("X-Original-Host", $"{original.Scheme}://{original.Authority}");
        request.RequestUri = new UriBuilder(original) { Scheme = _target.Scheme, Host = _target.Host, Port = _target.Port }.Uri;
        return base.SendAsync(request, cancellationToken);
    }
}
