using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RunnerTokens.Host.Logging;

namespace RunnerTokens.Host.Tests.Logging;

public sealed class OperatorConsoleFormatterTests
{
    private const string Category = "RunnerTokens.Refresh.RefreshEngine";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 15, 4, 5, 678, TimeSpan.Zero));

    [Fact]
    public void Write_InformationInRunnerScope_TimeLevelRunnerMessage()
    {
        var scopes = new LoggerExternalScopeProvider();
        using var scope = scopes.Push(new[] { new KeyValuePair<string, object?>("Runner", "build-01") });

        var line = Write(LogLevel.Information, "refreshed the registration in 2.2 s", scopes: scopes);

        Assert.Equal("2026-11-26 15:04:05 info  build-01: refreshed the registration in 2.2 s" + Environment.NewLine, line);
    }

    [Fact]
    public void Write_NoRunner_TimeLevelMessageOnly()
    {
        var line = Write(LogLevel.Warning, "Daemon started: 1 runner(s), checking every 1 min");

        Assert.Equal("2026-11-26 15:04:05 warn  Daemon started: 1 runner(s), checking every 1 min" + Environment.NewLine, line);
    }

    [Fact]
    public void Write_MessageNamesItsRunner_RunnerColumnAndNoRepeatedPrefix()
    {
        var line = Write(LogLevel.Information, "Runner build-01: source=runner-files action=none", runner: "build-01");

        Assert.Equal("2026-11-26 15:04:05 info  build-01: source=runner-files action=none" + Environment.NewLine, line);
    }

    [Fact]
    public void Write_Verbose_ShowsCategoryAndEventId()
    {
        var line = Write(LogLevel.Debug, "Runner build-01: source=runner-files", runner: "build-01", verbose: true);

        Assert.Equal($"2026-11-26 15:04:05 debug {Category}[100] build-01: source=runner-files" + Environment.NewLine, line);
    }

    [Theory]
    [MemberData(nameof(ExpectedFailures))]
    public void Write_ExpectedFailureNotVerbose_NoStackTrace(Exception failure)
    {
        var line = Write(LogLevel.Error, "refresh failed: " + failure.Message, exception: Thrown(failure));

        Assert.Equal("2026-11-26 15:04:05 error refresh failed: " + failure.Message + Environment.NewLine, line);
    }

    public static TheoryData<Exception> ExpectedFailures() => new()
    {
        new RunnerReconfigurationException("step configure failed: config.sh exited 1"),
        new HttpRequestException("Connection refused (127.0.0.1:9)"),
        new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 30 seconds elapsing."),
        new RunnerTokens.GitHub.GitHubApiException("GitHub said 401 Bad credentials"),
        new RunnerRefreshException("GitHubRunnerBusyProbe failed (No GitHub credential found)", RefreshFailureKind.Permanent),
    };

    [Fact]
    public void Write_ExpectedFailureVerbose_KeepsStackTrace()
    {
        var line = Write(LogLevel.Error, "refresh failed", exception: Thrown(new HttpRequestException("Connection refused")), verbose: true);

        Assert.Contains("System.Net.Http.HttpRequestException: Connection refused", line, StringComparison.Ordinal);
        Assert.Contains("   at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_UnexpectedException_KeepsStackTrace()
    {
        var line = Write(LogLevel.Error, "check failed: boom", exception: Thrown(new NullReferenceException("boom")));

        Assert.StartsWith("2026-11-26 15:04:05 error check failed: boom" + Environment.NewLine + "System.NullReferenceException: boom", line, StringComparison.Ordinal);
        Assert.Contains("   at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Journal_PriorityRunnerMessageNoTimestampOneLine()
    {
        var line = Write(LogLevel.Warning, "Runner build-01: step stop failed;\nrepaired", runner: "build-01", journal: true, exception: Thrown(new InvalidOperationException("bug")));

        Assert.StartsWith("<4>build-01: step stop failed; repaired System.InvalidOperationException: bug", line, StringComparison.Ordinal);
        Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(LogLevel.Critical, "<2>")]
    [InlineData(LogLevel.Error, "<3>")]
    [InlineData(LogLevel.Information, "<6>")]
    [InlineData(LogLevel.Debug, "<7>")]
    public void Write_Journal_KeepsTheSyslogPriority(LogLevel level, string prefix) =>
        Assert.Equal(prefix + "message" + Environment.NewLine, Write(level, "message", journal: true));

    private string Write(
        LogLevel level, string message, string? runner = null, bool verbose = false, bool journal = false, Exception? exception = null, IExternalScopeProvider? scopes = null)
    {
        var sut = new OperatorConsoleFormatter(new OperatorConsoleFormatterOptions { Verbose = verbose, Journal = journal }, _time);
        IReadOnlyList<KeyValuePair<string, object?>> state = runner is null ? [] : [new("Runner", runner)];
        var entry = new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(level, Category, new EventId(100), state, exception, (_, _) => message);
        using var writer = new StringWriter();
        sut.Write(entry, scopes, writer);
        return writer.ToString();
    }

    private static Exception Thrown(Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }
}
