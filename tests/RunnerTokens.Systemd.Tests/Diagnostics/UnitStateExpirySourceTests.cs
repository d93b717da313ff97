using System.IO.Abstractions;
using RunnerTokens.Shared;
using RunnerTokens.TestKit;
using System.IO.Abstractions.TestingHelpers;

namespace RunnerTokens.Systemd.Tests.Diagnostics;

public sealed class UnitStateExpirySourceTests
{
    private const string RunnerDirectory = "/runners/runner-1";
    private const string Unit = "actions.runner.my-org.runner-1.service";

    private readonly MockFileSystem _fileSystem = new();
    private readonly SystemdOptions _options = new();

    public UnitStateExpirySourceTests()
    {
        _fileSystem.AddFile(RunnerDirectory + "/.service", new MockFileData(Unit + "\n"));
    }

    [Theory]
    [InlineData("/cg/system.slice")]
    [InlineData("/cg/unified/system.slice")]
    [InlineData("/cg/systemd/system.slice")]
    public async Task ObserveAsync_UnitHasACgroup_UnknownNotDoubtful(string slice)
    {
        _fileSystem.AddDirectory($"{slice}/{Unit}");

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Equal("unit-state", observation.Source);
        Assert.Contains("has processes", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_UnitHasNoCgroup_DoubtfulNamingTheUnit()
    {
        _fileSystem.AddDirectory("/cg/system.slice/sshd.service");

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Doubtful, observation.Kind);
        Assert.Equal($"{Unit} is not running (no /cg/system.slice/{Unit})", observation.Reason);
    }

    [Fact]
    public async Task ObserveAsync_NoSystemSliceAnywhere_UnknownSoAContainerGivesNoSignal()
    {
        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("no system.slice under /cg", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_NoServiceFile_Unknown()
    {
        _fileSystem.File.Delete(RunnerDirectory + "/.service");
        _fileSystem.AddDirectory("/cg/system.slice");

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_ServiceFileNamesAnotherUnit_UnknownWithTheReasonNeverDoubtful()
    {
        _fileSystem.AddFile(RunnerDirectory + "/.service", new MockFileData("sshd.service\n"));
        _fileSystem.AddDirectory("/cg/system.slice");

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Equal("no usable unit name in .service", observation.Reason);
    }

    [Fact]
    public async Task ObserveAsync_UserUnits_Unknown()
    {
        _options.UserUnits = true;
        _fileSystem.AddDirectory("/cg/system.slice");

        var observation = await CreateSut().ObserveAsync(Runner(), default);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_ServiceFileNamesAnotherUnitAfterAKeptCheck_ThatUnitIsRead()
    {
        using var temp = new TempDirectory("unit-state");
        var runnerDirectory = Directory.CreateDirectory(temp.Combine("runner")).FullName;
        Directory.CreateDirectory(temp.Combine("cg", "system.slice", Unit));
        File.WriteAllText(Path.Combine(runnerDirectory, ".service"), Unit + "\n");
        await Task.Delay(FileStamp.SettleTime + TimeSpan.FromMilliseconds(100));
        var sut = new UnitStateExpirySource(new FileSystem(), Microsoft.Extensions.Options.Options.Create(_options), temp.Combine("cg"));
        var runner = new RunnerContext("runner-1", runnerDirectory, "https://github.com/my-org", temp.Combine("state"));
        Assert.Equal(ExpiryObservationKind.Unknown, (await sut.ObserveAsync(runner, default)).Kind);
        Assert.Equal(ExpiryObservationKind.Unknown, (await sut.ObserveAsync(runner, default)).Kind);

        // svc.sh install again (same length of name): the new unit, which has no processes, is the one looked at.
        var other = Unit.Replace("runner-1", "runner-2", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(runnerDirectory, ".service"), other + "\n");
        var observation = await sut.ObserveAsync(runner, default);

        Assert.Equal(ExpiryObservationKind.Doubtful, observation.Kind);
        Assert.Contains(other, observation.Reason, StringComparison.Ordinal);
    }

    private static RunnerContext Runner() => new("runner-1", RunnerDirectory, "https://github.com/my-org", "/state/runner-1");

    private UnitStateExpirySource CreateSut() => new(_fileSystem, Microsoft.Extensions.Options.Options.Create(_options), "/cg");
}
