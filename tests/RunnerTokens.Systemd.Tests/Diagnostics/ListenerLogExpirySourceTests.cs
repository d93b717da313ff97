using System.IO.Abstractions.TestingHelpers;
using System.Text;

namespace RunnerTokens.Systemd.Tests.Diagnostics;

public sealed class ListenerLogExpirySourceTests
{
    private const string RunnerDirectory = "/runners/runner-1";
    private const string Diag = RunnerDirectory + "/_diag";
    private const string Deleted = "The runner registration has been deleted from the server, please re-configure.";

    private static readonly DateTimeOffset _registeredAt = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private readonly MockFileSystem _fileSystem = new();

    public ListenerLogExpirySourceTests()
    {
        _fileSystem.AddFile(RunnerDirectory + "/.runner", new MockFileData("\uFEFF{\"agentName\":\"runner-1\"}") { LastWriteTime = _registeredAt });
    }

    [Fact]
    public async Task ObserveAsync_NewestLogSaysDeleted_Invalid()
    {
        var at = _registeredAt.AddDays(15);
        AddLog("Runner_20261205-090000-utc.log", at, Line(at.AddSeconds(-2), "Listening for Jobs"), Line(at, Deleted, "ERR"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Equal("listener-log", observation.Source);
        Assert.Contains("Runner_20261205-090000-utc.log", observation.Reason, StringComparison.Ordinal);
        Assert.Contains(Deleted, observation.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WRITE ERROR: The runner no longer exists on the server. Cleaning up local configuration.")]
    [InlineData("WRITE ERROR: Failed to create a session. The runner registration has been deleted from the server, please re-configure.")]
    [InlineData("Runner OAuth token has been revoked. Shutting down.")]
    [InlineData("WRITE ERROR: Failed to create session. Access denied")]
    [InlineData("WRITE ERROR: Get next message failed with non-retryable error. Forbidden")]
    [InlineData("Stopping the runner after 10 consecutive re-tryable failures")]
    public async Task ObserveAsync_ListenersTerminalExit_Invalid(string line)
    {
        var at = _registeredAt.AddDays(15);
        AddLog("Runner_20261205-090000-utc.log", at, Line(at.AddMinutes(-1), "WRITE LINE: Listening for Jobs"), Line(at, line, "ERR"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Contains(line, observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_ConnectedToGitHubAfterTerminalLine_StillInvalid()
    {
        // "Connected to GitHub" is printed but never written to _diag; a line that says it proves nothing.
        var at = _registeredAt.AddDays(15);
        AddLog("Runner_20261205-090000-utc.log", at.AddMinutes(1), Line(at, Deleted, "ERR"), Line(at.AddMinutes(1), "Connected to GitHub"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_NewestLogIsAConfigShRun_ReadsTheNewestListenerLog()
    {
        var at = _registeredAt.AddDays(15);
        AddLog("Runner_20261205-090000-utc.log", at, Line(at, "Command 'run': 'True'"), Line(at, Deleted, "ERR"));
        AddLog("Runner_20261205-100000-utc.log", at.AddHours(1), Line(at.AddHours(1), "Command 'configure': 'False'"), Line(at.AddHours(1), "Command 'remove': 'True'"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Contains("Runner_20261205-090000-utc.log", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_ConfigShRunLogsAnError_NotTakenForTheListener()
    {
        var at = _registeredAt.AddDays(15);
        AddLog("Runner_20261205-090000-utc.log", at, Line(at, "Command 'run': 'True'"), Line(at, "WRITE LINE: Listening for Jobs"));
        AddLog("Runner_20261205-100000-utc.log", at.AddHours(1), Line(at.AddHours(1), "Command 'configure': 'True'"), Line(at.AddHours(1), "WRITE ERROR: Failed to create session. Access denied", "ERR"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("Runner_20261205-090000-utc.log", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_DeletionOnlyInOlderLog_Unknown()
    {
        var old = _registeredAt.AddDays(15);
        var newer = old.AddHours(1);
        AddLog("Runner_20261205-090000-utc.log", old, Line(old, Deleted, "ERR"));
        AddLog("Runner_20261205-100000-utc.log", newer, Line(newer, "Listening for Jobs"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("Runner_20261205-100000-utc.log", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_ListeningAfterDeletionInSameLog_Unknown()
    {
        var at = _registeredAt.AddDays(15);
        AddLog("Runner_20261205-090000-utc.log", at.AddMinutes(1), Line(at, Deleted, "ERR"), Line(at.AddMinutes(1), "Listening for Jobs"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_DeletionOlderThanCurrentRegistration_DoubtfulSoNoRefreshLoop()
    {
        // The listener logged the deletion, the refresher re-registered (new .runner), the new listener has not logged yet.
        var at = _registeredAt.AddMinutes(-3);
        AddLog("Runner_20261120-085700-utc.log", at, Line(at, Deleted, "ERR"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Doubtful, observation.Kind);
        Assert.Contains("stale", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_DeletionBeyondTheTail_NotReadAndNotDoubtful()
    {
        var at = _registeredAt.AddDays(15);
        var noise = Enumerable.Range(0, 2000).Select(i => Line(at.AddSeconds(1), $"Verbose trace line {i} padding padding padding"));
        AddLog("Runner_20261205-090000-utc.log", at.AddSeconds(1), [Line(at, Deleted, "ERR"), .. noise]);
        Assert.True(_fileSystem.FileInfo.New(Diag + "/Runner_20261205-090000-utc.log").Length > DiagLogReader.TailBytes);

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_DeletionAtEndOfLargeLog_Invalid()
    {
        var at = _registeredAt.AddDays(15);
        var noise = Enumerable.Range(0, 2000).Select(i => Line(at, $"Verbose trace line {i} padding padding padding"));
        AddLog("Runner_20261205-090000-utc.log", at.AddSeconds(1), [.. noise, Line(at.AddSeconds(1), Deleted, "ERR")]);

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_HealthyLog_UnknownNeverValid()
    {
        var at = _registeredAt.AddDays(1);
        AddLog("Runner_20261121-090000-utc.log", at, Line(at, "Listening for Jobs"));

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_NoDiagFolder_Doubtful()
    {
        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Doubtful, observation.Kind);
        Assert.Contains("_diag", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_LineWithoutTimestamp_UsesFileTime()
    {
        AddLog("Runner_20261205-090000-utc.log", _registeredAt.AddDays(2), Deleted);

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_NullRunner_Throws()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await CreateSut().ObserveAsync(null!, default));
    }

    private ListenerLogExpirySource CreateSut() => new(new DiagLogReader(_fileSystem));

    private static RunnerContext Runner() => new("runner-1", RunnerDirectory, "https://github.com/my-org", "/state/runner-1");

    private static string Line(DateTimeOffset at, string text, string level = "INFO") =>
        $"[{at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z {level} Runner] {text}";

    private void AddLog(string name, DateTimeOffset lastWrite, params string[] lines) =>
        _fileSystem.AddFile(Diag + "/" + name, new MockFileData(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")) { LastWriteTime = lastWrite });
}
