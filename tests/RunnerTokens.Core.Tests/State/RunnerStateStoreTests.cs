using System.IO.Abstractions;
using RunnerTokens.State;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.State;

public sealed class RunnerStateStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new("state");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Write_StateFile_IsOwnerOnlyInOwnerOnlyFolder()
    {
        var runner = Runner();

        new RunnerStateStore(new FileSystem()).Write(runner, new RunnerState { ConsecutiveFailures = 2 });

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(runner.StateDirectory, "state.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(runner.StateDirectory));
        Assert.Equal(["state.json"], Directory.GetFiles(runner.StateDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_StateFolderExistedOpenToOthers_MakesItOwnerOnly()
    {
        var runner = Runner();
        Directory.CreateDirectory(runner.StateDirectory);
        File.SetUnixFileMode(runner.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        new RunnerStateStore(new FileSystem()).Write(runner, new RunnerState { ConsecutiveFailures = 1 });

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(runner.StateDirectory));
    }

    [Fact]
    public void Read_AfterWrite_RoundTrips()
    {
        var store = new RunnerStateStore(new FileSystem());
        var expires = new DateTimeOffset(2026, 11, 25, 13, 0, 0, TimeSpan.Zero);
        store.Write(Runner(), new RunnerState { ConsecutiveFailures = 4, RegistrationTokenExpiresAt = expires });

        var state = store.Read(Runner(), out var problem);

        Assert.Null(problem);
        Assert.Equal(4, state.ConsecutiveFailures);
        Assert.Equal(expires, state.RegistrationTokenExpiresAt);
    }

    [Fact]
    public void Write_ReplacesAtomically_OldContentNeverTruncated()
    {
        var store = new RunnerStateStore(new FileSystem());
        var path = Path.Combine(Runner().StateDirectory, "state.json");
        store.Write(Runner(), new RunnerState { ConsecutiveFailures = 1 });
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);

        store.Write(Runner(), new RunnerState { ConsecutiveFailures = 2 });

        // The open handle still sees the complete old file: the new one was renamed over it, not rewritten in place.
        Assert.Contains("\"consecutive_failures\": 1", reader.ReadToEnd(), StringComparison.Ordinal);
        Assert.Contains("\"consecutive_failures\": 2", File.ReadAllText(path), StringComparison.Ordinal);
    }

    private RunnerContext Runner() => new("r1", _temp.Path, "https://github.com/acme", _temp.Combine("state", "r1"));
}
