namespace RunnerTokens.GitHub.Tests.Api;

public sealed class GitHubApiExceptionTests
{
    [Fact]
    public void Kind_PublicConstructors_ArePermanent()
    {
        Assert.Equal(RefreshFailureKind.Permanent, new GitHubApiException().Kind);
        Assert.Equal(RefreshFailureKind.Permanent, new GitHubApiException("x").Kind);
        Assert.Equal(RefreshFailureKind.Permanent, new GitHubApiException("x", new InvalidOperationException()).Kind);
    }

    [Fact]
    public async Task Kind_NoCredential_IsPermanent()
    {
        await using var h = await GitHubHarness.StartAsync();

        var error = await Assert.ThrowsAsync<GitHubApiException>(
            () => h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/acme"), CancellationToken.None));

        Assert.StartsWith("No GitHub credential found", error.Message, StringComparison.Ordinal);
        Assert.Equal(RefreshFailureKind.Permanent, error.Kind);
        Assert.Empty(h.Api.Requests);
    }
}
