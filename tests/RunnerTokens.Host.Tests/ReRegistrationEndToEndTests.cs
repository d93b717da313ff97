using System.Net;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// The command as an operator runs it (only <c>--runner-dir</c>; name and URL from the runner), against a fake runner
/// and a fake GitHub as strict as the real ones: a refresh brings the runner back exactly as it was.
/// </summary>
public sealed class ReRegistrationEndToEndTests
{
    private const string Unit = "actions.runner.my-org.gpu-box-7.service";

    /// <summary>A runner registered with every setting config.sh takes, named unlike the host.</summary>
    private static readonly RunnerLayout _fullyConfigured = new()
    {
        Name = "gpu-box-7",
        Unit = Unit,
        PoolName = "linux-gpu",
        WorkFolder = "/srv/runner-work",
        Labels = ["gpu", "cuda-12"],
        NoDefaultLabels = true,
        DisableUpdate = true,
        MonitorSocketAddress = "127.0.0.1:49152",
    };

    [Fact]
    public async Task CheckAndRefresh_OnlyTheRunnerDirectory_KeepsNameIdLabelsGroupFlagsAndEnvironment()
    {
        // arrange
        Assert.NotEqual("gpu-box-7", Dns.GetHostName().Split('.')[0]);
        await using var e2e = await EndToEnd.StartAsync(_fullyConfigured);
        var runner = e2e.Machine.Runner;
        var environmentFiles = new[] { ".path", ".env", "svc.sh" }.Where(f => File.Exists(runner.File(f))).ToDictionary(f => f, f => File.ReadAllBytes(runner.File(f)));
        Assert.Equal(3, environmentFiles.Count);
        var github = e2e.Machine.RegisteredRunner!;
        var (group, modulus) = (github.RunnerGroupId, github.PublicKeyModulus);
        e2e.Machine.Systemctl.StopTakes(TimeSpan.FromSeconds(1.5)); // the listener takes its time to exit, as a real one does

        // act
        var result = await e2e.RunAsync("--check-and-refresh");

        // assert: refreshed, and GitHub still has one runner of that name with the same id and settings
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        var after = Assert.Single(e2e.Api.RunnersIn(e2e.Machine.ScopePath));
        Assert.Equal((42L, "gpu-box-7"), (after.Id, after.Name));
        Assert.Equal(["gpu", "cuda-12"], after.Labels);
        Assert.False(after.DefaultLabels);
        Assert.True(after.DisableUpdate);
        Assert.Equal(group, after.RunnerGroupId);
        Assert.NotEqual(modulus, after.PublicKeyModulus); // a real re-registration: a new key

        // the runner's own files say the same
        Assert.Equal("gpu-box-7", runner.ReadRunnerProperty("agentName"));
        Assert.Equal("42", runner.ReadRunnerProperty("agentId"));
        Assert.Equal("linux-gpu", runner.ReadRunnerProperty("poolName"));
        Assert.Equal("/srv/runner-work", runner.ReadRunnerProperty("workFolder"));
        Assert.Equal("true", runner.ReadRunnerProperty("disableUpdate"));
        Assert.Equal("127.0.0.1:49152", runner.ReadRunnerProperty("monitorSocketAddress"));

        // the service's environment and svc.sh are byte-identical, although config.sh rewrote them
        foreach (var (file, bytes) in environmentFiles)
        {
            Assert.True(bytes.SequenceEqual(File.ReadAllBytes(runner.File(file))), $"{file} changed");
        }

        // nothing was removed before the unit had really stopped (systemd says "deactivating" meanwhile)
        var sequence = e2e.Machine.Sequence;
        var stop = sequence.ToList().FindIndex(l => l.StartsWith("systemctl stop", StringComparison.Ordinal));
        var remove = sequence.ToList().FindIndex(l => l.StartsWith("config.sh remove", StringComparison.Ordinal));
        Assert.True(stop >= 0 && remove > stop, string.Join('\n', sequence));
        Assert.True(sequence.Skip(stop).Take(remove - stop).Count(l => l.Contains("is-active", StringComparison.Ordinal)) >= 2, string.Join('\n', sequence));

        // config.sh got no server-side remove, and none of the refresher's secrets or switches
        var calls = runner.ConfigSh.Calls;
        Assert.DoesNotContain(calls, c => c.Command == "remove" && !c.Arguments.Contains("--local"));
        Assert.DoesNotContain(e2e.Api.IssuedTokens, t => t.Kind == "remove");
        Assert.All(calls, c => Assert.DoesNotContain("GITHUB_TOKEN", c.EnvironmentNames));

        // and the listener really came back
        Assert.True(e2e.Machine.Systemctl.IsActive(Unit));
        Assert.Contains("Listening for Jobs", File.ReadAllText(runner.DiagLogs[^1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAndRefresh_NameUnlikeTheRunnerFile_Exits2ShowingBoth()
    {
        await using var e2e = await EndToEnd.StartAsync(_fullyConfigured);

        var result = await e2e.RunAsync("--check-and-refresh", "--name", "vm");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'vm'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("registered as 'gpu-box-7'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--rename", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(e2e.Machine.Sequence);
    }

    [Fact]
    public async Task CheckAndRefresh_Rename_RemovesTheOldRunnerOnTheServerAndRegistersTheNewName()
    {
        await using var e2e = await EndToEnd.StartAsync();

        var result = await e2e.RunAsync("--check-and-refresh", "--name", "runner-renamed", "--rename");

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        var after = Assert.Single(e2e.Api.RunnersIn(e2e.Machine.ScopePath));
        Assert.Equal("runner-renamed", after.Name);
        Assert.NotEqual(42, after.Id);
        Assert.Equal("runner-renamed", e2e.Machine.Runner.ReadRunnerProperty("agentName"));
    }

    [Fact]
    public async Task CheckAndRefresh_GitHubDeletedTheRunnerAndTheListenerItsFiles_ComesBackWithNameLabelsAndGroup()
    {
        // arrange: a healthy check under the registration policy, as a cron job or daemon runs every minute
        await using var e2e = await EndToEnd.StartAsync(_fullyConfigured);
        var first = await e2e.RunAsync("--check-and-refresh", "--policy", "registration");
        Assert.True(first.ExitCode == 0, first.StandardOutput + first.StandardError);
        Assert.Empty(e2e.Machine.Runner.ConfigSh.Calls);

        // GitHub deletes the runner after 14 days offline; the listener gets a 404 and deletes its registration files
        e2e.Api.RemoveRunner(e2e.Machine.ScopePath, "gpu-box-7");
        foreach (var file in new[] { ".runner", ".credentials", ".credentials_rsaparams" })
        {
            File.Delete(e2e.Machine.Runner.File(file));
        }

        // act: the next check, still with nothing but the runner directory
        var result = await e2e.RunAsync("--check-and-refresh", "--policy", "registration");

        // assert
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        var back = Assert.Single(e2e.Api.RunnersIn(e2e.Machine.ScopePath));
        Assert.Equal("gpu-box-7", back.Name);
        Assert.Equal(["gpu", "cuda-12"], back.Labels);
        Assert.False(back.DefaultLabels);
        Assert.True(back.DisableUpdate);
        Assert.Equal("linux-gpu", e2e.Machine.Runner.ReadRunnerProperty("poolName"));
        Assert.Equal("/srv/runner-work", e2e.Machine.Runner.ReadRunnerProperty("workFolder"));
        Assert.True(e2e.Machine.Systemctl.IsActive(Unit));
    }

    [Fact]
    public async Task CheckAndRefresh_ListenerRefusedAfterStart_Exits1WithTheListenersLine()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Systemctl.RefuseSession("Failed to create session. Access denied: the runner's OAuth client is not authorized.");
        var environment = e2e.Environment;
        environment["MAX_RETRY_ATTEMPTS"] = "1";

        var result = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh"), environment);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Failed to create session", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, e2e.Metrics().GetProperty("failed_refreshes").GetInt64());
    }

    [Fact]
    public async Task CheckAndRefresh_AllowRunAsRootZero_ConfigShGetsNoRootSwitchAndRefusesRoot()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Runner.ConfigSh.PretendUid(0);
        var environment = e2e.Environment;
        environment["RUNNER_ALLOW_RUNASROOT"] = "0";
        environment["MAX_RETRY_ATTEMPTS"] = "1";

        var result = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh"), environment);

        Assert.Equal(1, result.ExitCode);
        Assert.All(e2e.Machine.Runner.ConfigSh.Calls, c => Assert.Null(c.AllowRunAsRootValue));
        Assert.Contains("RUNNER_ALLOW_RUNASROOT", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(42, Assert.Single(e2e.Api.RunnersIn(e2e.Machine.ScopePath)).Id);
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
    }
}
