using System.IO.Abstractions;
using RunnerTokens.Expiry;
using RunnerTokens.Shared;
using RunnerTokens.State;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.Expiry;

public sealed class RunnerFilesExpirySourceTests : IDisposable
{
    private static readonly DateTimeOffset _cached = new(2026, 11, 25, 13, 0, 0, TimeSpan.Zero);
    private readonly RunnerDirectory _runner = new();
    private readonly FileSystem _fileSystem = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task ObserveAsync_RegisteredWithBomAndNothingCached_IsUnknown()
    {
        var observation = await ObserveAsync();

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Equal("runner-files", observation.Source);
        Assert.Contains("state.json", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_CachedExpiry_IsThatExpiry()
    {
        new RunnerStateStore(_fileSystem).Write(Context(), new RunnerState { RegistrationTokenExpiresAt = _cached });

        var observation = await ObserveAsync();

        Assert.Equal(ExpiryObservationKind.ExpiresAt, observation.Kind);
        Assert.Equal(_cached, observation.ExpiresAt);
    }

    [Theory]
    [InlineData(".credentials", "\"expires_at\": \"2026-11-25T12:30:00Z\",")]
    [InlineData(".runner", "\"expiresAt\": 1795609800,")]
    public async Task ObserveAsync_ExpiryInRunnerFileEarlierThanCache_IsTheEarliest(string file, string property)
    {
        new RunnerStateStore(_fileSystem).Write(Context(), new RunnerState { RegistrationTokenExpiresAt = _cached });
        var json = file == ".runner" ? RunnerDirectory.RunnerJson : RunnerDirectory.CredentialsJson;
        _runner.Write(file, json.Replace("{", "{\n  " + property, StringComparison.Ordinal).TrimStart());

        var observation = await ObserveAsync();

        Assert.Equal(ExpiryObservationKind.ExpiresAt, observation.Kind);
        Assert.True(observation.ExpiresAt < _cached);
    }

    [Fact]
    public async Task ObserveAsync_CredentialsCorruptedToTheSameSizeAfterAKeptCheck_IsInvalid()
    {
        new RunnerStateStore(_fileSystem).Write(Context(), new RunnerState { RegistrationTokenExpiresAt = _cached });
        await Task.Delay(FileStamp.SettleTime + TimeSpan.FromMilliseconds(100));
        var sut = CreateSut();
        Assert.Equal(ExpiryObservationKind.ExpiresAt, (await sut.ObserveAsync(Context(), CancellationToken.None)).Kind);
        Assert.Equal(ExpiryObservationKind.ExpiresAt, (await sut.ObserveAsync(Context(), CancellationToken.None)).Kind);

        // What a daemon's later check must see, though the files were unchanged for a while and the size is the same.
        var credentials = _runner.File(".credentials");
        File.WriteAllBytes(credentials, File.ReadAllBytes(credentials).Select(b => b == (byte)'{' ? (byte)'[' : b).ToArray());

        var observation = await sut.ObserveAsync(Context(), CancellationToken.None);
        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Contains(credentials, observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_RunnerFileCorruptedToTheSameSizeBetweenChecks_IsInvalid()
    {
        new RunnerStateStore(_fileSystem).Write(Context(), new RunnerState { RegistrationTokenExpiresAt = _cached });
        await Task.Delay(FileStamp.SettleTime + TimeSpan.FromMilliseconds(100));
        var sut = CreateSut();
        var runner = Context();
        Assert.Equal(ExpiryObservationKind.ExpiresAt, (await CheckAsync()).Kind);
        Assert.Equal(ExpiryObservationKind.ExpiresAt, (await CheckAsync()).Kind);

        // .runner's stamp is taken once a check (the registration record looks at it too), never kept for the next.
        var runnerFile = _runner.File(".runner");
        File.WriteAllBytes(runnerFile, File.ReadAllBytes(runnerFile).Select(b => b == (byte)'{' ? (byte)'[' : b).ToArray());
        var inTheNextCheck = await CheckAsync();
        var outsideAnyCheck = await sut.ObserveAsync(runner, CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.InvalidNow, inTheNextCheck.Kind);
        Assert.Contains(runnerFile, inTheNextCheck.Reason, StringComparison.Ordinal);
        Assert.Equal(ExpiryObservationKind.InvalidNow, outsideAnyCheck.Kind);

        async Task<ExpiryObservation> CheckAsync()
        {
            runner.Stamps.Begin();
            try
            {
                return await sut.ObserveAsync(runner, CancellationToken.None);
            }
            finally
            {
                runner.Stamps.End();
            }
        }
    }

    [Theory]
    [InlineData(".runner")]
    [InlineData(".credentials")]
    public async Task ObserveAsync_FileMissing_IsInvalidNamingTheFile(string file)
    {
        File.Delete(_runner.File(file));

        var observation = await ObserveAsync();

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Contains(_runner.File(file), observation.Reason, StringComparison.Ordinal);
        Assert.Contains("missing", observation.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".runner", "{ \"agentId\": 7, ")]
    [InlineData(".runner", "[]")]
    [InlineData(".runner", "{ \"agentId\": 7 }")]
    [InlineData(".credentials", "")]
    [InlineData(".credentials", "{ \"data\": {} }")]
    [InlineData(".credentials", "{ \"scheme\": \"OAuth\", \"expires_at\": \"soon\" }")]
    public async Task ObserveAsync_FileCorrupt_IsInvalidNamingTheFileAndProblem(string file, string content)
    {
        _runner.Write(file, content);

        var observation = await ObserveAsync();

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Contains($"corrupt: {_runner.File(file)}: ", observation.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("agentName", "{ \"serverUrl\": \"https://pipelines.actions.githubusercontent.com/abc/\" }")]
    [InlineData("serverUrl", "{ \"agentId\": 7, \"agentName\": \"runner-1\", \"gitHubUrl\": \"https://github.com/acme\" }")]
    [InlineData("serverUrl", "{ \"agentName\": \"runner-1\", \"serverUrl\": \" \" }")]
    public async Task ObserveAsync_RunnerFileWithoutWhatConfigShAlwaysWrites_IsInvalidNamingTheKey(string key, string content)
    {
        _runner.Write(".runner", content); // with a BOM, as the runner writes it

        var observation = await ObserveAsync();

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Contains($"corrupt: {_runner.File(".runner")}: '{key}' is missing or empty", observation.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".runner")]
    [InlineData(".credentials")]
    [InlineData(".token-refresh/state.json")]
    public async Task ObserveAsync_FileIsAFifo_ReturnsNamingItInsteadOfBlocking(string file)
    {
        var path = Path.Combine(_runner.Path, file);
        Fifo.Make(path);

        var observation = await Fifo.WithinLimitAsync(() => ObserveAsync().AsTask());

        Assert.NotEqual(ExpiryObservationKind.ExpiresAt, observation.Kind);
        Assert.Contains($"{path} is not a regular file (it is a FIFO)", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_StateFileCorrupt_IsUnknownNamingIt()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, "{ not json");

        var observation = await ObserveAsync();

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains($"state file {StatePath} is corrupt", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CreateSut().ObserveAsync(Context(), cts.Token).AsTask());
    }

    [Fact]
    public async Task ObserveAsync_NullRunner_Throws() =>
        await Assert.ThrowsAsync<ArgumentNullException>(() => CreateSut().ObserveAsync(null!, CancellationToken.None).AsTask());

    private string StatePath => Path.Combine(_runner.Path, ".token-refresh", "state.json");

    private RunnerFilesExpirySource CreateSut() => new(_fileSystem, new RunnerStateStore(_fileSystem));

    private RunnerContext Context() =>
        new("runner-1", _runner.Path, "https://github.com/acme", Path.Combine(_runner.Path, ".token-refresh"));

    private ValueTask<ExpiryObservation> ObserveAsync() => CreateSut().ObserveAsync(Context(), CancellationToken.None);
}
