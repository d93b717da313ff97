using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSubstitute;
using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests;

/// <summary>The Core engine with this package plugged in, over a fake machine: what the host's daemon does at each check.</summary>
public sealed class EngineIntegrationTests
{
    [Fact]
    public async Task RunOnceAsync_ListenerLoggedDeletion_ReRegistersOnceThenStops()
    {
        await using var gitHub = await FakeGitHubApi.StartAsync();
        using var machine = new FakeRunnerMachine(gitHub);
        var registrationToken = gitHub.IssueToken(FakeGitHubApi.RegistrationKind, machine.ScopePath);
        var deletedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        machine.Runner.Touch(".runner", deletedAt.AddDays(-20));
        machine.Runner.WriteDiagLog(deletedAt.AddDays(-20), [
            FakeRunnerDirectory.DiagLine(deletedAt.AddDays(-20), "Listening for Jobs"),
            FakeRunnerDirectory.DiagLine(deletedAt, "The runner registration has been deleted from the server, please re-configure.", "ERR"),
        ], deletedAt);
        var issuer = Substitute.For<ITokenIssuer>();
        issuer.CreateRegistrationTokenAsync(Arg.Any<RunnerScope>(), Arg.Any<CancellationToken>())
            .Returns(_ => new RegistrationToken(registrationToken, DateTimeOffset.UtcNow.AddHours(1)));
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddFakeLogging());
        services.AddSingleton(issuer);
        services.AddRunnerTokenRefresh(options =>
        {
            options.Policy = RefreshPolicy.Registration;
            options.MaxRetryAttempts = 1;
            options.MetricsFile = Path.Combine(machine.RootPath, "metrics.json");
            options.Runners.Add(new RunnerOptions
            {
                Name = "runner-1",
                Url = "https://github.com/my-org",
                Directory = machine.Runner.Path,
                StateDirectory = machine.StateDirectory,
                Labels = { "linux" },
            });
        }).AddSystemdReconfigurer(options =>
        {
            options.Environment["PATH"] = machine.PathVariable;
            options.AllowRunAsRoot = true;
        });
        using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<IRunnerTokenRefresher>();

        var first = await engine.RunOnceAsync(default);
        var second = await engine.RunOnceAsync(default);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(first).Outcome);
        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(second).Outcome);
        Assert.Equal(["remove --local", "configure"], machine.Runner.ConfigSh.Calls.Select(c => c.Command == "remove" ? c.CommandLine : c.Command));
        Assert.Equal("linux", machine.Runner.ConfigSh.Calls[1].ValueOf("--labels"));
        Assert.Equal("42", machine.Runner.ReadRunnerProperty("agentId"));
        Assert.True(machine.Systemctl.IsActive(machine.Runner.Layout.Unit!));
        await issuer.DidNotReceiveWithAnyArgs().CreateRemoveTokenAsync(default!, default);
    }
}
