using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Runner;
using Xunit.Abstractions;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

public sealed partial class SystemdReconfigurerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DescribePlanAsync_SampleRunner_ListsEveryCommandWithTokenMaskedAndRunsNothing()
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

        var plan = await provider.GetRequiredService<IRunnerReconfigurer>().DescribePlanAsync(runner, default);

        foreach (var line in plan)
        {
            output.WriteLine(line);
        }

        const string Unit = "actions.runner.your-org.sample-runner.service";
        var text = string.Join('\n', plan);
        Assert.Contains($"systemctl stop {Unit}", text, StringComparison.Ordinal);
        Assert.Contains($"ACTIONS_RUNNER_INPUT_TOKEN=*** {sample}/config.sh remove ", text, StringComparison.Ordinal);
        Assert.Contains(
            $"ACTIONS_RUNNER_INPUT_TOKEN=*** {sample}/config.sh --unattended --url https://github.com/your-org --name sample-runner --replace --runnergroup Default --work _work",
            text,
            StringComparison.Ordinal);
        Assert.Contains($"systemctl start {Unit}", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("stop", StringComparison.Ordinal) < text.IndexOf("config.sh remove", StringComparison.Ordinal));
        Assert.True(text.IndexOf("config.sh remove", StringComparison.Ordinal) < text.IndexOf("--unattended", StringComparison.Ordinal));
        Assert.True(text.IndexOf("--unattended", StringComparison.Ordinal) < text.IndexOf("systemctl start", StringComparison.Ordinal));
        Assert.False(Directory.Exists(runner.StateDirectory));
        Assert.All(before, file => Assert.Equal(file.Value, File.ReadAllBytes(file.Key)));
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

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, default);

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

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, default);

        Assert.Contains(plan, line => line.StartsWith("not a service", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("systemctl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribePlanAsync_ListenerLoggedDeletion_PlansLocalRemove()
    {
        using var sut = new SystemdHarness();
        var at = DateTimeOffset.UtcNow.AddMinutes(5);
        sut.Machine.Runner.WriteDiagLog(at, [FakeRunnerDirectory.DiagLine(at, "The runner no longer exists on the server.", "ERR")]);

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, default);

        Assert.Contains(plan, line => line.Contains("config.sh remove --local", StringComparison.Ordinal) && line.Contains("already gone", StringComparison.Ordinal));
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
