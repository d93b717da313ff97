using System.IO.Abstractions.TestingHelpers;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.Health;

public sealed class RefreshHealthTests
{
    private const string MetricsPath = "/var/tmp/runner-token-metrics.json";
    private static readonly DateTimeOffset _now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly MockFileSystem _fileSystem = new();

    [Fact]
    public void Evaluate_NoFile_IsCritical()
    {
        var report = RefreshHealth.Evaluate(_fileSystem, MetricsPath, _now);

        Assert.Equal(RefreshHealthStatus.Critical, report.Status);
        Assert.Equal(2, (int)report.Status);
        Assert.StartsWith("CRITICAL: ", report.Message, StringComparison.Ordinal);
        Assert.Contains(MetricsPath, report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_MetricsFileIsAFifo_IsCriticalInsteadOfBlocking()
    {
        using var temp = new TempDirectory("health");
        var path = temp.Combine("metrics.json");
        Fifo.Make(path);

        var report = await Fifo.WithinLimitAsync(() => RefreshHealth.Evaluate(path, _now));

        Assert.Equal(RefreshHealthStatus.Critical, report.Status);
        Assert.Contains($"{path} is not a regular file (it is a FIFO)", report.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"last_check_timestamp\": null, \"consecutive_failures\": 5}")]
    [InlineData("{\"last_check_timestamp\": 0}")]
    public void Evaluate_NoCheckTimestamp_IsWarning(string json)
    {
        var report = Evaluate(json);

        Assert.Equal(RefreshHealthStatus.Warning, report.Status);
        Assert.Equal(1, (int)report.Status);
        Assert.StartsWith("WARNING: ", report.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void Evaluate_ThreeOrMoreConsecutiveFailures_IsCritical(int failures)
    {
        var report = Evaluate(Metrics(lastCheck: _now.AddSeconds(-10), failures));

        Assert.Equal(RefreshHealthStatus.Critical, report.Status);
        Assert.Equal($"CRITICAL: {failures} consecutive refresh failures", report.Message);
    }

    [Fact]
    public void Evaluate_TwoConsecutiveFailuresRecentCheck_IsOk()
    {
        var report = Evaluate(Metrics(lastCheck: _now.AddSeconds(-10), failures: 2));

        Assert.Equal(RefreshHealthStatus.Ok, report.Status);
    }

    [Fact]
    public void Evaluate_LastCheckOver300SecondsAgo_IsWarning()
    {
        var report = Evaluate(Metrics(lastCheck: _now.AddSeconds(-301), failures: 0));

        Assert.Equal(RefreshHealthStatus.Warning, report.Status);
        Assert.Equal("WARNING: Last check was 301 seconds ago", report.Message);
    }

    [Fact]
    public void Evaluate_LastCheckExactly300SecondsAgo_IsOk()
    {
        var report = Evaluate(Metrics(lastCheck: _now.AddSeconds(-300), failures: 0));

        Assert.Equal(RefreshHealthStatus.Ok, report.Status);
        Assert.Equal("OK: Token refresh healthy", report.Message);
        Assert.Equal(0, (int)report.Status);
    }

    [Fact]
    public void Evaluate_WithALongerMaxAge_AnOlderCheckIsOk_AndTheReportCarriesTheFigures()
    {
        _fileSystem.AddFile(MetricsPath, new MockFileData("{\"last_check_timestamp\": " + _now.AddSeconds(-500).ToUnixTimeSeconds() + ", \"consecutive_failures\": 2, \"runner_name\": \"build-01\"}"));

        var byDefault = RefreshHealth.Evaluate(_fileSystem, MetricsPath, _now);
        var longer = RefreshHealth.Evaluate(_fileSystem, MetricsPath, _now, TimeSpan.FromSeconds(600));

        Assert.Equal(RefreshHealthStatus.Warning, byDefault.Status);
        Assert.Equal(RefreshHealthStatus.Ok, longer.Status);
        Assert.Equal("build-01", longer.RunnerName);
        Assert.Equal(TimeSpan.FromSeconds(500), longer.LastCheckAge);
        Assert.Equal(2, longer.ConsecutiveFailures);
    }

    [Fact]
    public void Evaluate_FailuresWinOverStaleness()
    {
        var report = Evaluate(Metrics(lastCheck: _now.AddHours(-1), failures: 3));

        Assert.Equal(RefreshHealthStatus.Critical, report.Status);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"last_check_timestamp\": \"yesterday\"}")]
    public void Evaluate_CorruptFile_IsCriticalNamingTheFile(string json)
    {
        var report = Evaluate(json);

        Assert.Equal(RefreshHealthStatus.Critical, report.Status);
        Assert.Contains(MetricsPath, report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MetricsFileWritableByOthers_IsCriticalNamingIt()
    {
        using var temp = new TempDirectory("health");
        var path = temp.Combine("metrics.json");
        File.WriteAllText(path, Metrics(lastCheck: _now.AddSeconds(-10), failures: 0));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        var report = RefreshHealth.Evaluate(path, _now);

        Assert.Equal(RefreshHealthStatus.Critical, report.Status);
        Assert.Contains($"{path} is writable by users other than its owner", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MetricsFilePlantedByAnotherUser_IsCriticalNamingIt()
    {
        if (Environment.UserName != "root")
        {
            // Only root can give a file to another user; the rule is the same one the writable test exercises.
            return;
        }

        using var temp = new TempDirectory("health");
        var path = temp.Combine("metrics.json");
        File.WriteAllText(path, Metrics(lastCheck: _now.AddSeconds(-10), failures: 0));
        using (var chown = System.Diagnostics.Process.Start("chown", ["65534", path]))
        {
            chown.WaitForExit();
        }

        var report = RefreshHealth.Evaluate(path, _now);

        Assert.Equal(RefreshHealthStatus.Critical, report.Status);
        Assert.Contains($"{path} is owned by user id 65534", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NegativeConsecutiveFailures_IsCriticalAsCorrupt()
    {
        var report = Evaluate(Metrics(lastCheck: _now.AddSeconds(-10), failures: int.MinValue));

        Assert.Equal(RefreshHealthStatus.Critical, report.Status);
        Assert.Contains($"Metrics file {MetricsPath} is corrupt: 'consecutive_failures' is negative", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => RefreshHealth.Evaluate(null!, MetricsPath, _now));
        Assert.Throws<ArgumentException>(() => RefreshHealth.Evaluate(_fileSystem, " ", _now));
    }

    private static string Metrics(DateTimeOffset lastCheck, int failures) =>
        $"{{\"last_check_timestamp\": {lastCheck.ToUnixTimeSeconds()}, \"last_refresh_timestamp\": 0, \"total_refreshes\": 4, \"failed_refreshes\": {failures}, \"consecutive_failures\": {failures}, \"runner_org\": \"acme\", \"runner_name\": \"r1\"}}";

    private RefreshHealthReport Evaluate(string json)
    {
        _fileSystem.AddFile(MetricsPath, new MockFileData(json));
        return RefreshHealth.Evaluate(_fileSystem, MetricsPath, _now);
    }
}
