using Microsoft.Extensions.DependencyInjection;
using RunnerTokens.Host.Preflight;
using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Host.Tests.Preflight;

/// <summary>
/// The checklist as <c>--check-config</c> gets it: the three packages wired through their builder extensions, over a
/// fake machine and the fake GitHub, rendered by the writer.
/// </summary>
public sealed class PreflightWiringTests
{
    [Fact]
    public async Task RunAsync_EveryPackageWired_OneChecklistInPackageOrderWithoutAToken()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var machine = new FakeRunnerMachine(api);
        var unit = machine.Runner.Layout.Unit!;

        // As root the check needs no polkit; as another user the shipped rule's effect.
        machine.Pkcheck.Allow("stop", unit);
        machine.Pkcheck.Allow("start", unit);
        using var provider = Build(api, machine);

        var reports = await provider.GetRequiredService<IRunnerPreflight>().RunAsync(CancellationToken.None);
        var text = PreflightReportWriter.Render(reports);

        Assert.Equal(
            [
                "name and URL match .runner",
                "state folder is writable",
                "metrics file folder is writable",
                "GitHub credential works",
                $"unit {unit} exists",
                "config.sh can be run by this user",
                $"may stop and start {unit}",
            ],
            Assert.Single(reports).Results.Select(r => r.Title));
        Assert.True(Assert.Single(reports).Passed, text);
        Assert.Equal(0, PreflightReportWriter.ExitCode(reports));
        Assert.Contains("  ✔ GitHub credential works (the token in ", text, StringComparison.Ordinal);
        Assert.DoesNotContain(EndToEnd.Token, text, StringComparison.Ordinal);
        Assert.Empty(api.RequestsTo("registration-token"));
        Assert.DoesNotContain(machine.Systemctl.Calls, c => c.StartsWith("stop", StringComparison.Ordinal) || c.StartsWith("start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_UnitGone_ExitTwoAndTheDaemonRefuses()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var machine = new FakeRunnerMachine(api);
        File.WriteAllText(machine.Runner.File(".service"), "actions.runner.my-org.gone.service\n");
        using var provider = Build(api, machine);

        var reports = await provider.GetRequiredService<IRunnerPreflight>().RunAsync(CancellationToken.None);

        Assert.Equal(2, PreflightReportWriter.ExitCode(reports));
        Assert.True(PreflightReportWriter.StopsDaemon(reports));
        Assert.Contains("  ✘ unit actions.runner.my-org.gone.service exists: systemd says its load state is 'not-found'", PreflightReportWriter.Render(reports), StringComparison.Ordinal);
    }

    private static ServiceProvider Build(FakeGitHubApi api, FakeRunnerMachine machine)
    {
        api.AddToken(EndToEnd.Token);
        var tokenFile = Path.Combine(machine.RootPath, "github-token");
        File.WriteAllText(tokenFile, EndToEnd.Token);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRunnerTokenRefresh(options =>
        {
            options.MetricsFile = Path.Combine(machine.RootPath, "metrics.json");
            options.StateDirectory = machine.StateDirectory;
            options.Runners.Add(new RunnerOptions { Directory = machine.Runner.Path });
        })
        .AddGitHub(options =>
        {
            options.ApiUrl = api.BaseUrl.ToString();
            options.TokenFile = tokenFile;
            options.UseGitHubCli = false;
        })
        .AddSystemdReconfigurer(options =>
        {
            options.Environment["PATH"] = machine.PathVariable;
            options.SystemctlPath = machine.Systemctl.Path;
            options.AllowRunAsRoot = true;
        });
        return services.BuildServiceProvider();
    }
}
