using RunnerTokens.Systemd.Tests.Reconfiguration;

namespace RunnerTokens.Systemd.Tests.Commands;

/// <summary>Sets variables in the test process itself, so it runs alone.</summary>
[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

/// <summary>Every command this package starts sees an allow-listed environment, whatever the refresher inherited.</summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class CommandEnvironmentTests
{
    private static readonly Dictionary<string, string> _inherited = new(StringComparer.Ordinal)
    {
        ["GITHUB_TOKEN"] = "ghs_InheritedInstallationToken0123456789",
        ["GH_TOKEN"] = "gho_InheritedCliToken0123456789abcdef",
        ["GITHUB_ACTIONS_RUNNER_HTTPTRACE"] = "1",
        ["ACTIONS_RUNNER_INPUT_LABELS"] = "evil",
        ["RUNNER_ALLOW_RUNASROOT"] = "0",
        ["JAVA_HOME"] = "/opt/refresher-jdk",
        ["https_proxy"] = "http://proxy.example:3128",
        ["LC_TIME"] = "C.UTF-8",
    };

    [Fact]
    public async Task ReconfigureAsync_RefresherEnvironment_ConfigShSeesOnlyTheAllowList()
    {
        using var sut = new SystemdHarness(configure: o => o.AllowRunAsRoot = false);
        sut.Machine.Runner.ConfigSh.PretendUid(1000);
        sut.InstallServiceScript();
        var environmentBefore = sut.ServiceEnvironment();

        await WithInheritedAsync(() => sut.ReconfigureAsync());

        var calls = sut.Machine.Runner.ConfigSh.Calls;
        Assert.Equal(2, calls.Count);
        Assert.All(calls, call => Assert.Empty(call.EnvironmentNames));
        Assert.All(calls, call => Assert.Null(call.AllowRunAsRootValue));
        Assert.All(sut.Machine.Runner.ConfigSh.Calls, call => Assert.False(call.AllowRunAsRoot));
        Assert.DoesNotContain("--labels evil", sut.Machine.Runner.ConfigSh.RawRecord, StringComparison.Ordinal);
        SystemdReconfigurerTests.AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
    }

    [Fact]
    public async Task ReconfigureAsync_TokensInRefresherEnvironment_NeitherConfigShNorSystemctlSeesThem()
    {
        // arrange: the refresher holds a PAT as the host reads it (GITHUB_TOKEN), as gh does (GH_TOKEN), as configuration binds it
        const string Pat = "ghp_RefresherPat0123456789abcdefABCDEF01";
        using var sut = new SystemdHarness();

        // act
        await WithInheritedAsync(() => sut.ReconfigureAsync(), new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GITHUB_TOKEN"] = Pat,
            ["GH_TOKEN"] = Pat,
            ["GitHub__Token"] = Pat,
        });

        // assert
        var calls = sut.Machine.Runner.ConfigSh.Calls;
        Assert.Equal(2, calls.Count);
        Assert.All(calls, call => Assert.Empty(call.EnvironmentNames));
        var systemctl = sut.Machine.Systemctl.EnvironmentRecord;
        Assert.Contains("\nPATH=", "\n" + systemctl, StringComparison.Ordinal);
        Assert.Equal(sut.Machine.Systemctl.Calls.Count, systemctl.Split("\n--\n").Length - 1);
        Assert.DoesNotContain(Pat, systemctl, StringComparison.Ordinal);
        Assert.DoesNotContain(sut.RegistrationToken, systemctl, StringComparison.Ordinal);
        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex("^[A-Za-z0-9_]*(?i:token)[A-Za-z0-9_]*=", System.Text.RegularExpressions.RegexOptions.Multiline), systemctl);
        Assert.DoesNotContain(Pat, sut.EverythingVisible(), StringComparison.Ordinal);
    }

    [Fact]
    public void BuildEnvironment_RefresherEnvironment_RemovesAllButTheAllowListThenAddsOptionsAndOwn()
    {
        using var sut = new SystemdHarness(configure: o => o.Environment["JAVA_HOME"] = "/opt/configured-jdk");
        var spec = new CommandSpec("config.sh", [], new Dictionary<string, string?> { ["ACTIONS_RUNNER_INPUT_TOKEN"] = "t0ken" }, ["ACTIONS_RUNNER_INPUT_TOKEN"]);

        var environment = WithInherited(() => sut.Get<CommandRunner>().BuildEnvironment(spec));

        Assert.Null(environment["GITHUB_TOKEN"]);
        Assert.Null(environment["RUNNER_ALLOW_RUNASROOT"]);
        Assert.Equal("/opt/configured-jdk", environment["JAVA_HOME"]);
        Assert.Equal("t0ken", environment["ACTIONS_RUNNER_INPUT_TOKEN"]);
        Assert.False(environment.ContainsKey("https_proxy"));
        Assert.False(environment.ContainsKey("LC_TIME"));
    }

    private static T WithInherited<T>(Func<T> action)
    {
        Set(inherit: true);
        try
        {
            return action();
        }
        finally
        {
            Set(inherit: false);
        }
    }

    private static async Task WithInheritedAsync(Func<Task> action, Dictionary<string, string>? variables = null)
    {
        Set(inherit: true, variables);
        try
        {
            await action();
        }
        finally
        {
            Set(inherit: false, variables);
        }
    }

    private static void Set(bool inherit, Dictionary<string, string>? variables = null)
    {
        foreach (var (name, value) in variables ?? _inherited)
        {
            Environment.SetEnvironmentVariable(name, inherit ? value : null);
        }
    }
}
