using RunnerTokens.Host.Preflight;

namespace RunnerTokens.Host.Tests.Preflight;

public sealed class PreflightReportWriterTests
{
    private const string Unit = "actions.runner.your-org.build-01.service";

    private static readonly PreflightResult CredentialOk =
        PreflightResult.Ok("GitHub credential works", "the token in /run/credentials/runner-token-refresh.service/github-token, organisation your-org");

    private static readonly PreflightResult SudoUnderNoNewPrivileges = PreflightResult.Failed(
        $"may stop and start {Unit}",
        "sudo cannot work under no-new-privileges",
        "install deploy/50-runner-token-refresh.rules and clear SYSTEMCTL_PREFIX (README: Install)",
        blocksRefresh: true);

    private static readonly PreflightResult MetricsReadOnly =
        PreflightResult.Failed("metrics file folder is writable", "/var/tmp is read-only", "set METRICS_FILE (--metrics-file)", blocksRefresh: false);

    private static readonly PreflightResult PolkitUnreachable =
        PreflightResult.Unknown($"may stop and start {Unit}", "cannot ask polkit", "start polkit");

    [Fact]
    public void Render_TwoChecksFailingForOneCause_SayItOnce()
    {
        const string Cause = "/home/runner/actions-runner/.service names the unit 'sshd.service', which is not allowed";
        var reports = new[]
        {
            Report(
                PreflightResult.Failed("the runner's unit exists", Cause, "fix .service", blocksRefresh: true),
                PreflightResult.Failed("may stop and start the runner's unit", Cause, "fix .service", blocksRefresh: true)),
        };

        var text = PreflightReportWriter.Render(reports);

        Assert.Single(text.Split('\n'), line => line.Contains(Cause, StringComparison.Ordinal));
        Assert.Contains("  ✘ may stop and start the runner's unit: the same as above\n", text, StringComparison.Ordinal);
        Assert.EndsWith("1 runner checked: 2 failed (2 make every refresh impossible)\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSettings_BadSharedSetting_OneFailedLineEachAndNoRunnerChecked()
    {
        var text = PreflightReportWriter.RenderSettings(["GitHub:PrivateKeyFile = '/k.pem' cannot be used: it does not exist"]);

        Assert.Equal(
            "settings\n"
            + "  ✘ settings are valid: GitHub:PrivateKeyFile = '/k.pem' cannot be used: it does not exist\n"
            + "      → change the setting named above (see the README: Configuration)\n"
            + "1 setting failed: no runner checked\n",
            text);
    }

    [Fact]
    public void Render_PassAndBlockingFailure_ChecklistAsTheOperatorSeesIt()
    {
        var reports = new[] { Report(CredentialOk, SudoUnderNoNewPrivileges) };

        var text = PreflightReportWriter.Render(reports);

        Assert.Equal(
            "runner 'build-01' (/home/runner/actions-runner)\n"
            + "  ✔ GitHub credential works (the token in /run/credentials/runner-token-refresh.service/github-token, organisation your-org)\n"
            + $"  ✘ may stop and start {Unit}: sudo cannot work under no-new-privileges\n"
            + "      → install deploy/50-runner-token-refresh.rules and clear SYSTEMCTL_PREFIX (README: Install)\n"
            + "1 runner checked: 1 failed (1 make every refresh impossible)\n",
            text);
        Assert.Equal(2, PreflightReportWriter.ExitCode(reports));
        Assert.True(PreflightReportWriter.StopsDaemon(reports));
    }

    [Fact]
    public void Render_CannotTell_WarnsWithWhatToDoAndExitsZero()
    {
        var reports = new[] { Report(CredentialOk, PolkitUnreachable) };

        var text = PreflightReportWriter.Render(reports);

        Assert.Contains($"  ? may stop and start {Unit}: cannot ask polkit\n      → start polkit\n", text, StringComparison.Ordinal);
        Assert.EndsWith("1 runner checked: no failure; 1 cannot tell\n", text, StringComparison.Ordinal);
        Assert.Equal(0, PreflightReportWriter.ExitCode(reports));
        Assert.False(PreflightReportWriter.StopsDaemon(reports));
    }

    [Fact]
    public void ExitCodeAndStopsDaemon_FailureThatDoesNotBlock_Exit2ButDaemonRuns()
    {
        var reports = new[] { Report(CredentialOk), Report(MetricsReadOnly) with { RunnerName = "build-02" } };

        Assert.Equal(2, PreflightReportWriter.ExitCode(reports));
        Assert.False(PreflightReportWriter.StopsDaemon(reports));
        Assert.EndsWith("2 runners checked: 1 failed\n", PreflightReportWriter.Render(reports), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_EverythingPassed_ExitZeroAndSaysSo()
    {
        var reports = new[] { Report(CredentialOk) };
        using var writer = new StringWriter();

        PreflightReportWriter.Write(writer, reports);

        Assert.EndsWith("1 runner checked: everything passed\n", writer.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, PreflightReportWriter.ExitCode(reports));
    }

    [Fact]
    public void PublicEntryPoints_Null_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => PreflightReportWriter.Render(null!));
        Assert.Throws<ArgumentNullException>(() => PreflightReportWriter.Write(null!, []));
        Assert.Throws<ArgumentNullException>(() => PreflightReportWriter.ExitCode(null!));
        Assert.Throws<ArgumentNullException>(() => PreflightReportWriter.StopsDaemon(null!));
    }

    private static RunnerPreflightReport Report(params PreflightResult[] results) =>
        new("build-01", "/home/runner/actions-runner", results);
}
