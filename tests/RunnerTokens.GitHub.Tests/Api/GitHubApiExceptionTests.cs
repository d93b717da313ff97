namespace RunnerTokens.GitHub.Tests.Api;

public sealed class GitHubApiExceptionTests
{
    [Fact]
    public void IsTransient_PublicConstructors_ArePermanent()
    {
        Assert.False(new GitHubApiException().IsTransient);
        Assert.False(new GitHubApiException("x").IsTransient);
        Assert.False(new GitHubApiException("x", new InvalidOperationException()).IsTransient);
    }

    [Fact]
    public async Task IsTransient_NoCredential_IsPermanent()
    {
        await using var h = await GitHubHarness.StartAsync();

        var error = await Assert.ThrowsAsync<GitHubApiException>(
            () => h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/acme"), CancellationToken.None));

        Assert.StartsWith("No GitHub credential found", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Empty(h.Api.Requests);
    }
}
