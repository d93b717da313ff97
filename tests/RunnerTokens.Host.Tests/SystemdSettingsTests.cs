namespace RunnerTokens.Host.Tests;

public sealed class SystemdSettingsTests
{
    private static readonly string[] _dryRun = ["--check-and-refresh", "--dry-run", "--runner-dir", "samples/actions-runner"];

    [Fact]
    public async Task DryRun_OnSample_PlansTheSystemdSequenceWithTheTokenMasked()
    {
        var result = await HostProcess.RunAsync(_dryRun);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("systemctl stop actions.runner.your-org.sample-runner.service", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ACTIONS_RUNNER_INPUT_TOKEN=*** ", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("config.sh --unattended --url https://github.com/your-org --name sample-runner --replace", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("systemctl start actions.runner.your-org.sample-runner.service", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_PrefixVariable_PutsSudoBeforeSystemctl()
    {
        var result = await HostProcess.RunAsync(_dryRun, new Dictionary<string, string?> { ["SYSTEMCTL_PREFIX"] = "sudo -n" });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("sudo -n systemctl stop actions.runner.your-org.sample-runner.service", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_UserUnitsAndServiceFlag_AreUsed()
    {
        var result = await HostProcess.RunAsync(
            [.. _dryRun, "--service", "my-runner.service"],
            new Dictionary<string, string?> { ["SYSTEMCTL_USER"] = "1", ["RUNNER_SERVICE"] = "ignored.service" });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("systemctl --user stop my-runner.service", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("ignored.service", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadUserUnitsVariable_Exits2NamingIt()
    {
        var result = await HostProcess.RunAsync(_dryRun, new Dictionary<string, string?> { ["SYSTEMCTL_USER"] = "maybe" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("SYSTEMCTL_USER 'maybe' is not allowed", result.StandardError, StringComparison.Ordinal);
    }
}
