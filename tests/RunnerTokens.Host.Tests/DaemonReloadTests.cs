using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

/// <summary><c>systemctl reload</c> (SIGHUP) of the daemon: the <c>--config</c> file is read again, the process lives on.</summary>
public sealed class DaemonReloadTests : IDisposable
{
    private readonly TempDirectory _temp = new("daemon-reload");

    public void Dispose() => _temp.Dispose();

    private static string Sample => Path.Combine(HostProcess.RepositoryRoot, "samples", "actions-runner");

    [Fact]
    public async Task Sighup_RunnerAddedToTheFile_CheckedFromTheNextCheck_BadFileRefusedAndTheRunnersStillChecked()
    {
        var second = _temp.Combine("second-runner");
        Directory.CreateDirectory(second);
        var config = _temp.Combine("runners.json");
        var sample = $$"""{ "Directory": "{{Sample}}", "MetricsFile": "{{_temp.Combine("a.json")}}" }""";
        var beta = $$"""{ "Name": "beta", "Directory": "{{second}}", "Url": "https://github.com/acme/widgets", "MetricsFile": "{{_temp.Combine("b.json")}}" }""";
        await File.WriteAllTextAsync(config, $$"""{ "CheckInterval": "00:00:01", "Runners": [ {{sample}} ] }""");
        await using var daemon = RunningProcess.Start(HostProcess.Command(["--daemon", "--dry-run", "--config", config]));
        await daemon.WaitForOutputAsync("Daemon started: 1 runner(s), checking every 1 s");

        await File.WriteAllTextAsync(config, $$"""{ "CheckInterval": "00:00:01", "Runners": [ {{sample}}, {{beta}} ], "Systemd": { "StopTimeout": "00:06:00" } }""");
        await daemon.SignalAsync("HUP");

        await daemon.WaitForOutputAsync("Settings changed: checking 2 runners from the next check (added: beta; removed: none)");
        await daemon.WaitForOutputAsync("beta: source=runner-files");
        Assert.Contains($"SIGHUP received: reading the settings again (--config {config})", daemon.Output, StringComparison.Ordinal);
        Assert.Contains("Systemd:StopTimeout changed, which a reload does not apply: restart the service for it", daemon.Output, StringComparison.Ordinal);

        // A typo in the file: refused, named, and both runners go on being checked.
        await File.WriteAllTextAsync(config, $$"""{ "CheckInterval": "00:00:01", "Runners": [ { "Directory": "{{Sample}}", "Lables": [ "gpu" ] } ] }""");
        await daemon.SignalAsync("HUP");
        await daemon.WaitForOutputAsync("The settings were not reloaded, the runners are checked as before:");
        var refused = daemon.Output.Split('\n').Single(line => line.Contains("were not reloaded", StringComparison.Ordinal));
        Assert.Contains("Lables", refused, StringComparison.Ordinal);
        await daemon.WaitForAnotherAsync("beta: source=runner-files");
        await daemon.SignalAsync("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain(" crit: ", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_WithoutConfigFile_DaemonLivesOnWithTheSameRunner()
    {
        await using var daemon = RunningProcess.Start(HostProcess.Command(
            ["--daemon", "--dry-run", "--runner-dir", "samples/actions-runner", "--interval", "1"]));
        await daemon.WaitForOutputAsync("Daemon started: 1 runner(s), checking every 1 s");

        await daemon.SignalAsync("HUP");

        await daemon.WaitForOutputAsync("Settings changed: checking 1 runners from the next check (added: none; removed: none)");
        Assert.Contains("SIGHUP received: reading the settings again (the flags and variables)", daemon.Output, StringComparison.Ordinal);
        await daemon.WaitForAnotherAsync("sample-runner: source=runner-files");
        await daemon.SignalAsync("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }
}
