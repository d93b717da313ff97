namespace RunnerTokens.GitHub;

/// <summary>
/// Makes the HTTP handler under every call, when registered; otherwise <see cref="GitHubApiClient.CreateHandler"/> does.
/// A seam for tests (routing api.github.com to a loopback fake), not a setting.
/// </summary>
internal sealed class GitHubHttpHandlerFactory(Func<HttpMessageHandler> create)
{
    public HttpMessageHandler Create() => create();
}
