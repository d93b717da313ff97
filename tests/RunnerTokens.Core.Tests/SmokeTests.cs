namespace RunnerTokens.Tests;

public class SmokeTests
{
    [Fact]
    public void RunnerScope_Parse_OrgUrl_IsOrganization() =>
        Assert.Equal(RunnerScopeKind.Organization, RunnerScope.Parse("https://github.com/acme").Kind);
}
