using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Prometheus;

namespace RunnerTokens.Host.Tests;

/// <summary>The command with <c>--prometheus-file</c>/<c>PROMETHEUS_FILE</c>, run as a process against the fake GitHub API and runner machine.</summary>
public sealed class PrometheusEndToEndTests : IDisposable
{
    private const string P = "runner_token_refresh_";
    private readonly TempDirectory _temp = new("prom-e2e");

    public void Dispose() => _temp.Dispose();

    private string PromPath => _temp.Combine("node-exporter", "runner-token-refresh.prom");

    [Fact]
    public async Task CheckAndRefresh_PrometheusFileFlag_WritesTheFamiliesAndCountsCarryToTheNextRun()
    {
        // arrange
        await using var e2e = await EndToEnd.StartAsync();

        // act: the first one-shot refreshes (nothing cached); the second, a new process, has nothing to do
        var first = await e2e.RunAsync("--check-and-refresh", "--prometheus-file", PromPath);
        var afterFirst = await File.ReadAllTextAsync(PromPath);
        var second = await e2e.RunAsync("--check-and-refresh", "--prometheus-file", PromPath);

        // assert
        Assert.True(first.ExitCode == 0, first.StandardOutput + first.StandardError);
        Assert.Equal(0, second.ExitCode);
        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        var runner = ("runner", "runner-1");
        Assert.Equal(2, families.Value($"{P}checks_total", runner));
        Assert.Equal(1, families.Value($"{P}refreshes_total", runner));
        Assert.Equal(0, families.Value($"{P}failures_total", runner));
        Assert.Equal(0, families.Value($"{P}consecutive_failures", runner));
        Assert.InRange(families.Value($"{P}seconds_until_expiry", runner) ?? -1, 3000, 3600);
        Assert.InRange(families.Value($"{P}last_refresh_duration_seconds", runner) ?? -1, 0.001, 300);
        Assert.InRange(families.Value($"{P}last_refresh_timestamp_seconds", runner) ?? 0, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.NotNull(families.Value($"{P}last_check_timestamp_seconds", runner));
        Assert.InRange(families.Value($"{P}github_rate_limit_remaining", runner, ("resource", "core")) ?? -1, 1, 5000);
        Assert.All(families, f => Assert.NotNull(f.Help));

        // The JSON metrics file is written as before, beside it.
        Assert.Equal(1, e2e.Metrics().GetProperty("total_refreshes").GetInt64());

        // No token, neither the GitHub credential nor the registration token, in the file.
        var issued = Assert.Single(e2e.Api.IssuedTokens, t => t.Kind == "registration");
        foreach (var text in new[] { afterFirst, await File.ReadAllTextAsync(PromPath) })
        {
            Assert.DoesNotContain(issued.Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(EndToEnd.Token, text, StringComparison.Ordinal);
        }

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(PromPath));
    }

    [Fact]
    public async Task CheckAndRefresh_ConfigureFails_PrometheusVariableShowsTheFailure()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Runner.ConfigSh.Fail("configure", "Http response code: Forbidden from 'POST https://api.github.com/actions/runner-registration'");
        var environment = e2e.Environment;
        environment["PROMETHEUS_FILE"] = PromPath;

        var result = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh"), environment);

        Assert.Equal(1, result.ExitCode);
        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        Assert.Equal(1, families.Value($"{P}failures_total", ("runner", "runner-1")));
        Assert.Equal(1, families.Value($"{P}consecutive_failures", ("runner", "runner-1")));
        Assert.Equal(0, families.Value($"{P}refreshes_total", ("runner", "runner-1")));
        Assert.Null(families.Value($"{P}last_refresh_timestamp_seconds", ("runner", "runner-1")));
    }

    [Fact]
    public async Task Daemon_EveryFailedCheckRewritesTheFileWholeAndItsCountsGoUp()
    {
        // arrange: a check every second, each failing (a failure is written at once); the file is read, and strictly
        // parsed, while the daemon replaces it
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Runner.ConfigSh.Fail("configure", "Http response code: InternalServerError");
        var environment = e2e.Environment;
        environment["MAX_RETRY_ATTEMPTS"] = "1";
        await using var daemon = RunningProcess.Start(HostProcess.Command(e2e.Arguments("--daemon", "--interval", "1", "--prometheus-file", PromPath), environment));
        var seen = new List<(double Checks, double Failures)>();

        // act
        for (var i = 0; i < 1200 && (seen.Count == 0 || seen[^1].Failures < 3); i++)
        {
            await Task.Delay(50);
            if (File.Exists(PromPath))
            {
                var read = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
                seen.Add((read.Value($"{P}checks_total", ("runner", "runner-1")) ?? -1, read.Value($"{P}failures_total", ("runner", "runner-1")) ?? -1));
            }
        }

        await daemon.SignalAsync("TERM");

        // assert
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(seen.Count > 0 && seen[^1].Failures >= 3, daemon.Output);
        Assert.Equal(seen.Select(s => s.Checks).Order(), seen.Select(s => s.Checks));
        Assert.Equal(seen.Select(s => s.Failures).Order(), seen.Select(s => s.Failures));
        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        Assert.True(families.Value($"{P}consecutive_failures", ("runner", "runner-1")) >= 3);
        Assert.DoesNotContain(EndToEnd.Token, await File.ReadAllTextAsync(PromPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daemon_ChecksPutOffAtAShortInterval_AreWrittenWhenItStops()
    {
        // arrange: the first check refreshes (written at once); the next ones, a second apart, change only the check's
        // own values, which a daemon writes every 30 s. At debug, every check's decision is logged (at information, a
        // repeated "none" is logged once an hour)
        await using var e2e = await EndToEnd.StartAsync();
        await using var daemon = RunningProcess.Start(HostProcess.Command(
            e2e.Arguments("--daemon", "--interval", "1", "--prometheus-file", PromPath, "--log-level", "debug"), e2e.Environment));
        await daemon.WaitForOutputAsync("action=none");

        await Task.Delay(TimeSpan.FromSeconds(2));
        var checksLogged = daemon.Output.Split('\n').Count(l => l.Contains("runner-1: source=", StringComparison.Ordinal));

        // act
        await daemon.SignalAsync("TERM");

        // assert: every check it logged before the signal is counted in the file
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(checksLogged >= 3, daemon.Output);
        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        Assert.InRange(families.Value($"{P}checks_total", ("runner", "runner-1")) ?? -1, checksLogged, checksLogged + 1);
        Assert.Equal(1, families.Value($"{P}refreshes_total", ("runner", "runner-1")));
    }

    [Fact]
    public async Task Daemon_RepeatedDecisionToDoNothing_IsLoggedOnceWhileEveryCheckIsCounted()
    {
        // arrange: the first check refreshes; the next ones, a second apart, find nothing to do
        await using var e2e = await EndToEnd.StartAsync();
        await using var daemon = RunningProcess.Start(HostProcess.Command(e2e.Arguments("--daemon", "--interval", "1", "--prometheus-file", PromPath), e2e.Environment));
        await daemon.WaitForOutputAsync("action=none");

        await Task.Delay(TimeSpan.FromSeconds(3));

        // act
        await daemon.SignalAsync("TERM");

        // assert: at the default level the log shows the refresh and the first "nothing to do", not the repeats,
        // which the metrics still count
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var decisions = daemon.Output.Split('\n').Where(l => l.Contains("runner-1: source=", StringComparison.Ordinal)).ToList();
        Assert.Single(decisions, l => l.Contains("action=refresh", StringComparison.Ordinal));
        Assert.Single(decisions, l => l.Contains("action=none", StringComparison.Ordinal));
        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        Assert.True(families.Value($"{P}checks_total", ("runner", "runner-1")) >= 4, daemon.Output);
    }

    [Fact]
    public async Task Daemon_SigtermDuringRefresh_StillWritesTheCheckItCounted()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Runner.ConfigSh.Hang("configure");
        await using var daemon = RunningProcess.Start(HostProcess.Command(e2e.Arguments("--daemon", "--interval", "3600", "--prometheus-file", PromPath), e2e.Environment));
        await Poll.UntilAsync(() => e2e.Machine.Runner.ConfigSh.Calls.Any(c => c.Command == "configure"), TimeSpan.FromSeconds(30));

        await daemon.SignalAsync("TERM");

        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        Assert.Equal(1, families.Value($"{P}checks_total", ("runner", "runner-1")));
        Assert.Equal(0, families.Value($"{P}refreshes_total", ("runner", "runner-1")));
        Assert.Equal(0, families.Value($"{P}failures_total", ("runner", "runner-1")));
    }

    [Fact]
    public async Task CheckAndRefresh_DryRun_WritesNoPrometheusFile()
    {
        await using var e2e = await EndToEnd.StartAsync();

        var result = await e2e.RunAsync("--check-and-refresh", "--dry-run", "--prometheus-file", PromPath);

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(PromPath));
    }

    [Theory]
    [InlineData("/var/lib/prometheus/node-exporter/runners.txt")]
    [InlineData("/var/lib/prometheus/node-exporter/runners.prom.bak")]
    public async Task CheckAndRefresh_PrometheusFileFlagNotEndingInProm_Exits2NamingItAndWhatIsAllowed(string path)
    {
        var result = await HostProcess.RunAsync(["--check-and-refresh", "--org", "acme", "--runner-dir", "samples/actions-runner", "--prometheus-file", path], workingDirectory: HostProcess.RepositoryRoot);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(
            $"--prometheus-file '{path}' is not allowed: node_exporter's textfile collector reads only files whose name ends in .prom",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAndRefresh_PrometheusVariableNotEndingInProm_Exits2NamingTheVariable()
    {
        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--runner-dir", "samples/actions-runner"],
            new Dictionary<string, string?> { ["PROMETHEUS_FILE"] = "/tmp/runners.json" },
            HostProcess.RepositoryRoot);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PROMETHEUS_FILE '/tmp/runners.json' is not allowed: node_exporter's textfile collector", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsThePrometheusFlagAndVariable()
    {
        var result = await HostProcess.RunAsync(["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--prometheus-file", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[PROMETHEUS_FILE]", result.StandardOutput, StringComparison.Ordinal);
    }
}
