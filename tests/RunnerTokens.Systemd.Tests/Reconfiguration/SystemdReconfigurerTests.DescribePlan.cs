using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Runner;
using Xunit.Abstractions;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

public sealed partial class SystemdReconfigurerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DescribePlanAsync_SampleRunner_ListsEveryStepWithTokenMaskedAndRunsNothing()
    {
        using var state = new TempDirectory();
        var sample = Path.Combine(RepositoryRoot(), "samples", "actions-runner");
        var before = Directory.GetFiles(sample, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Substitute.For<ITokenIssuer>());
        services.AddRunnerTokenRefresh().AddSystemdReconfigurer();
        using var provider = services.BuildServiceProvider();
        var runner = new RunnerContext("sample-runner", sample, "https://github.com/your-org", state.Combine("sample-runner"));
        var registration = new RunnerRegistration
        {
            Name = "sample-runner",
            Url = "https://github.com/your-org",
            Id = 42,
            RunnerGroup = "Default",
            WorkFolder = "_work",
            Origins = ["runner group Default: .runner", "labels unknown: no source lists the runner"],
        };

        var plan = await provider.GetRequiredService<IRunnerReconfigurer>().DescribePlanAsync(runner, registration, default);

        foreach (var line in plan)
        {
            output.WriteLine(line);
        }

        const string Unit = "actions.runner.your-org.sample-runner.service";
        Assert.Contains("runner group Default: .runner; labels unknown: no source lists the runner", plan[0], StringComparison.Ordinal);
        Assert.Equal(
            ["backup", "stop", "service-aside", "remove", "delete-leftovers", "configure", "restore-environment", "service-back", "start", "listen"],
            plan.Skip(1).Take(10).Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)]));
        var text = string.Join('\n', plan);
        Assert.Contains($"stop: systemctl stop {Unit}", text, StringComparison.Ordinal);
        Assert.Contains($"remove: {sample}/config.sh remove --local   (local files only, no server call: GitHub keeps 'sample-runner' (id 42)", text, StringComparison.Ordinal);
        Assert.Contains(
            $"configure: ACTIONS_RUNNER_INPUT_TOKEN=*** {sample}/config.sh --unattended --url https://github.com/your-org --name sample-runner --replace --runnergroup Default --work _work   (a fresh registration token; --replace keeps the runner's id 42",
            text,
            StringComparison.Ordinal);
        Assert.Contains($"start: note the names and lengths of _diag/Runner_*.log, then systemctl start {Unit}", text, StringComparison.Ordinal);
        Assert.Contains("listen: wait up to 120 s (Systemd:ListenTimeout) for \"Listening for Jobs\"", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(runner.StateDirectory));
        Assert.All(before, file => Assert.Equal(file.Value, File.ReadAllBytes(file.Key)));
    }

    [Fact]
    public async Task DescribePlanAsync_AnyRunner_SameTextAsTheStepsLogWhenTheyRun()
    {
        using var sut = new SystemdHarness();

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, sut.Registration, default);
        await sut.ReconfigureAsync();

        var logged = sut.Logs.GetSnapshot()
            .Where(r => r.Id.Id == 401)
            .Select(r => r.Message[(r.Message.IndexOf("step ", StringComparison.Ordinal) + 5)..])
            .ToList();
        Assert.Equal(10, logged.Count);
        Assert.Equal(plan.Skip(1).Take(10), logged);
    }

    [Fact]
    public async Task DescribePlanAsync_Rename_ShowsServerRemoveWithMaskedRemoveToken()
    {
        using var sut = new SystemdHarness(configure: o => o.AllowRunAsRoot = false, shapeRegistration: r => r with { Name = "runner-2", Id = null, Renames = true });

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, sut.Registration, default);

        var text = string.Join('\n', plan);
        Assert.Contains($"remove: ACTIONS_RUNNER_INPUT_TOKEN=*** {sut.Runner.Directory}/config.sh remove   (rename: deletes 'runner-1' (id 42) on the server, with a remove token for my-org)", text, StringComparison.Ordinal);
        Assert.Contains("--name runner-2 --replace", text, StringComparison.Ordinal);
        Assert.Contains("a new runner, with a new id", text, StringComparison.Ordinal);
        Assert.Empty(sut.Machine.Sequence);
        await sut.Issuer.DidNotReceiveWithAnyArgs().CreateRemoveTokenAsync(default!, default);
    }

    [Fact]
    public async Task DescribePlanAsync_SudoUserUnitsAndRoot_ShowsCommandsAsTheyWouldRun()
    {
        using var sut = new SystemdHarness(configure: o =>
        {
            o.SystemctlPrefix = "sudo -n";
            o.SystemctlPath = "/usr/bin/systemctl";
            o.UserUnits = true;
            o.AllowRunAsRoot = true;
        });

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, sut.Registration, default);

        var text = string.Join('\n', plan);
        Assert.Contains($"sudo -n /usr/bin/systemctl --user stop {sut.Unit}", text, StringComparison.Ordinal);
        Assert.Contains($"sudo -n /usr/bin/systemctl --user start {sut.Unit}", text, StringComparison.Ordinal);
        Assert.Contains("RUNNER_ALLOW_RUNASROOT=1 ACTIONS_RUNNER_INPUT_TOKEN=*** ", text, StringComparison.Ordinal);
        Assert.Contains("--labels linux,gpu", text, StringComparison.Ordinal);
        Assert.Empty(sut.Machine.Sequence);
    }

    [Fact]
    public async Task DescribePlanAsync_NoUnit_SaysNotAService()
    {
        using var sut = new SystemdHarness(new RunnerLayout { Unit = null });

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, sut.Registration, default);

        Assert.Contains(plan, line => line.StartsWith("stop: not a service", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("systemctl", StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RunnerTokens.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RunnerTokens.sln not found above " + AppContext.BaseDirectory);
    }
}
