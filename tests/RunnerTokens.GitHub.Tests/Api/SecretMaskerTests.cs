using RunnerTokens.Shared;

namespace RunnerTokens.GitHub.Tests.Api;

public sealed class SecretMaskerTests
{
    [Fact]
    public void Apply_KnownSecret_IsReplaced()
    {
        var masker = new SecretMasker();
        masker.Add("AABF3JGZDX3P5PMEXLND6TS6FCWO6");

        Assert.Equal("token *** expired", masker.Apply("token AABF3JGZDX3P5PMEXLND6TS6FCWO6 expired"));
    }

    [Theory]
    [InlineData("ghp_abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("ghs_abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("gho_abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("github_pat_11ABCDEFG0abcdefghijklmnopqrstuvwxyz")]
    public void Apply_TokenShapedText_IsReplacedEvenWhenUnknown(string token)
    {
        Assert.Equal("saw *** here", new SecretMasker().Apply($"saw {token} here"));
    }

    [Fact]
    public void Apply_BearerHeader_IsReplaced()
    {
        Assert.Equal("Authorization: Bearer ***", new SecretMasker().Apply("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln"));
    }

    [Fact]
    public void Apply_NoSecret_LeavesTheTextAlone()
    {
        Assert.Equal("GitHub failed on POST /orgs/acme (502)", new SecretMasker().Apply("GitHub failed on POST /orgs/acme (502)"));
    }
}
