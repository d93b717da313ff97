namespace RunnerTokens.Host.Tests;

public sealed class RefreshEndToEndTests
{
    [Fact]
    public async Task CheckAndRefresh_NothingCached_ReRegistersWithAFreshTokenInTheRightOrder()
    {
        await using var e2e = await EndToEnd.StartAsync();

        var result = await e2e.RunAsync("--check-and-refresh");

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        var sequence = e2e.Machine.Sequence;
        Assert.Equal(
            ["systemctl stop", "config.sh remove", "config.sh --unattended", "systemctl start"],
            sequence.Where(l => !l.Contains("is-active", StringComparison.Ordinal)).Select(Verb));
        var issued = Assert.Single(e2e.Api.IssuedTokens, t => t.Kind == "registration");
        var configure = Assert.Single(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure");
        Assert.True(configure.TokenFromEnvironment);
        Assert.Equal(issued.Token, configure.Token);
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
        Assert.Equal(1, e2e.Metrics().GetProperty("total_refreshes").GetInt64());
        Assert.Contains("registration_token_expires_at", await File.ReadAllTextAsync(e2e.StateFile), StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Token, await File.ReadAllTextAsync(e2e.StateFile), StringComparison.Ordinal);
        AssertNoSecret(e2e, result, issued.Token);
    }

    [Fact]
    public async Task CheckAndRefresh_SecondRunWithinTheHour_DoesNothing()
    {
        await using var e2e = await EndToEnd.StartAsync();
        Assert.Equal(0, (await e2e.RunAsync("--check-and-refresh")).ExitCode);
        var calls = e2e.Machine.Sequence.Count;

        var second = await e2e.RunAsync("--check-and-refresh");

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(calls, e2e.Machine.Sequence.Count);
        Assert.Contains("action=none", second.StandardOutput, StringComparison.Ordinal);
        Assert.Single(e2e.Api.IssuedTokens, t => t.Kind == "registration");
    }

    [Fact]
    public async Task CheckAndRefresh_RunnerBusy_PostponesAndExits0()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Api.RemoveRunner("orgs/my-org", "runner-1");
        e2e.Api.AddRunner("orgs/my-org", "runner-1", busy: true);

        var result = await e2e.RunAsync("--check-and-refresh");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("postponed", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(e2e.Machine.Sequence, l => l.Contains("stop", StringComparison.Ordinal));
        Assert.Empty(e2e.Api.IssuedTokens);
    }

    [Fact]
    public async Task CheckAndRefresh_ConfigureFails_Exits1AndLeavesTheRunnerAsItWas()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        e2e.Machine.Runner.ConfigSh.Fail("configure", "Http response code: Forbidden from 'POST https://api.github.com/actions/runner-registration'");

        var result = await e2e.RunAsync("--check-and-refresh");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(before, e2e.Machine.Runner.Snapshot());
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
        Assert.Contains("Forbidden", result.StandardOutput, StringComparison.Ordinal);
        var metrics = e2e.Metrics();
        Assert.Equal(1, metrics.GetProperty("failed_refreshes").GetInt64());
        Assert.Equal(1, metrics.GetProperty("consecutive_failures").GetInt32());
        AssertNoSecret(e2e, result, null);
    }

    [Fact]
    public async Task CheckAndRefresh_NoCredential_Exits1NamingWhatWasTried()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var environment = e2e.Environment;
        environment["GITHUB_TOKEN"] = null;

        var result = await HostProcess.RunAsync([.. e2e.Arguments("--check-and-refresh")], environment);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("GITHUB_TOKEN", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(e2e.Machine.Sequence, l => l.Contains("stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckAndRefresh_RegistrationPolicy_ListedRunnerIsLeftAlone()
    {
        await using var e2e = await EndToEnd.StartAsync();

        var result = await e2e.RunAsync("--check-and-refresh", "--policy", "registration");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("action=none", result.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(e2e.Machine.Runner.ConfigSh.Calls);
    }

    [Fact]
    public async Task CheckAndRefresh_RegistrationPolicy_DeletedRunnerIsReRegistered()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Api.RemoveRunner("orgs/my-org", "runner-1");

        var result = await e2e.RunAsync("--check-and-refresh", "--policy", "registration");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("not listed on GitHub", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure" && c.TokenFromEnvironment);
    }

    [Fact]
    public async Task CheckAndRefresh_DryRun_CallsNoTokenEndpointAndChangesNothing()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();

        var result = await e2e.RunAsync("--check-and-refresh", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, e2e.Machine.Runner.Snapshot());

        // The checklist above the plan asks systemd about the unit; nothing else runs.
        Assert.All(e2e.Machine.Sequence, call => Assert.StartsWith("systemctl show ", call, StringComparison.Ordinal));
        var checklist = result.StandardOutput.IndexOf("✔ unit actions.runner.", StringComparison.Ordinal);
        Assert.InRange(checklist, 0, result.StandardOutput.IndexOf("would be:", StringComparison.Ordinal));
        Assert.DoesNotContain(e2e.Api.Requests, r => r.Path.Contains("token", StringComparison.Ordinal));
        Assert.False(File.Exists(e2e.MetricsFile));
    }

    private static string Verb(string line)
    {
        var words = line.Split(' ');
        return words[0].EndsWith("config.sh", StringComparison.Ordinal) ? "config.sh " + words[1] : words[0] + " " + words[1];
    }

    private static void AssertNoSecret(EndToEnd e2e, CliWrap.Buffered.BufferedCommandResult result, string? registrationToken)
    {
        var everything = e2e.Everything(result);
        Assert.DoesNotContain(EndToEnd.Token, everything, StringComparison.Ordinal);
        foreach (var issued in e2e.Api.IssuedTokens)
        {
            Assert.DoesNotContain(issued.Token, everything, StringComparison.Ordinal);
        }

        if (registrationToken is not null)
        {
            Assert.DoesNotContain(registrationToken, everything, StringComparison.Ordinal);
        }
    }
}
