namespace RunnerTokens.GitHub.Tests.Api;

public sealed class ApiRootTests
{
    [Theory]
    [InlineData("https://github.com/acme", "https://api.github.com/")]
    [InlineData("https://github.com/octo/app", "https://api.github.com/")]
    [InlineData("https://github.com/enterprises/megacorp", "https://api.github.com/")]
    [InlineData("https://GitHub.com/acme", "https://api.github.com/")]
    [InlineData("https://octocorp.ghe.com/acme", "https://api.octocorp.ghe.com/")]
    [InlineData("https://octocorp.ghe.com/enterprises/octocorp", "https://api.octocorp.ghe.com/")]
    [InlineData("https://ghes.example.com/acme", "https://ghes.example.com/api/v3/")]
    [InlineData("https://ghes.example.com:8443/octo/app", "https://ghes.example.com:8443/api/v3/")]
    [InlineData("http://10.0.0.5/enterprises/corp", "http://10.0.0.5/api/v3/")]
    public void For_NoApiUrl_DerivesTheApiFromTheRunnerUrl(string runnerUrl, string expected)
    {
        Assert.Equal(expected, ApiRoot.For(RunnerScope.Parse(runnerUrl), configured: null).ToString());
    }

    [Theory]
    [InlineData("https://ghes.example.com/api/v3", "https://ghes.example.com/api/v3/")]
    [InlineData("https://ghes.example.com/api/v3/", "https://ghes.example.com/api/v3/")]
    [InlineData("https://api.github.com", "https://api.github.com/")]
    public void For_ApiUrl_WinsAndEndsWithASlash(string apiUrl, string expected)
    {
        Assert.Equal(expected, ApiRoot.For(RunnerScope.Parse("https://github.com/acme"), apiUrl).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("api.github.com")]
    [InlineData("ftp://api.github.com")]
    [InlineData("https://api.github.com/?x=1")]
    public void TryParse_NotAnHttpUrl_IsRefused(string value)
    {
        Assert.False(ApiRoot.TryParse(value, out _));
    }
}
