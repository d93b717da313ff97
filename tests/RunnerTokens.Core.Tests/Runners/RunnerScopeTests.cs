namespace RunnerTokens.Tests.Runners;

public sealed class RunnerScopeTests
{
    [Theory]
    [InlineData("https://github.com/acme", RunnerScopeKind.Organization, "acme", null, "orgs/acme", "https://github.com/")]
    [InlineData("https://github.com/acme/", RunnerScopeKind.Organization, "acme", null, "orgs/acme", "https://github.com/")]
    [InlineData("https://github.com/acme/widgets", RunnerScopeKind.Repository, "acme", "widgets", "repos/acme/widgets", "https://github.com/")]
    [InlineData("https://github.com/enterprises/bigcorp", RunnerScopeKind.Enterprise, "bigcorp", null, "enterprises/bigcorp", "https://github.com/")]
    [InlineData("https://ghes.example.com/acme", RunnerScopeKind.Organization, "acme", null, "orgs/acme", "https://ghes.example.com/")]
    [InlineData("https://ghes.example.com:8443/acme/widgets", RunnerScopeKind.Repository, "acme", "widgets", "repos/acme/widgets", "https://ghes.example.com:8443/")]
    [InlineData("https://octo.ghe.com/enterprises/octo", RunnerScopeKind.Enterprise, "octo", null, "enterprises/octo", "https://octo.ghe.com/")]
    public void Parse_RunnerUrl_GivesScope(string url, RunnerScopeKind kind, string owner, string? repository, string apiPath, string server)
    {
        var scope = RunnerScope.Parse(url);

        Assert.Equal(kind, scope.Kind);
        Assert.Equal(owner, scope.Owner);
        Assert.Equal(repository, scope.Repository);
        Assert.Equal(apiPath, scope.ApiPath);
        Assert.Equal(new Uri(server), scope.ServerUrl);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("github.com/acme")]
    [InlineData("ftp://github.com/acme")]
    [InlineData("https://github.com")]
    [InlineData("https://github.com/enterprises")]
    [InlineData("https://github.com/acme/widgets/issues")]
    public void TryParse_NotARunnerUrl_SaysWhy(string? url)
    {
        Assert.False(RunnerScope.TryParse(url, out var scope, out var error));
        Assert.Null(scope);
        Assert.Contains("expected", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotARunnerUrl_ThrowsNamingIt()
    {
        var ex = Assert.Throws<FormatException>(() => RunnerScope.Parse("https://github.com"));
        Assert.Contains("'https://github.com'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scopes_FromEqualUrls_AreEqual() =>
        Assert.Equal(RunnerScope.Parse("https://github.com/acme"), RunnerScope.Parse("https://github.com/acme/"));
}
