using System.IO.Abstractions;
using NSubstitute;
using RunnerTokens.State;

namespace RunnerTokens.Tests.Refresh;

public sealed class RunnerLockTests : IDisposable
{
    private readonly EngineFixture _fixture = new();
    private readonly RunnerLock _lock = new(new FileSystem(), TimeProvider.System);

    public void Dispose()
    {
        _lock.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public async Task RunOnceAsync_AnotherProcessHoldsTheLock_PostponesWithoutTouchingTheRunner()
    {
        _fixture.Configure = o => o.LockTimeout = TimeSpan.Zero;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
        var recovery = Substitute.For<IRefreshRecovery>();
        _fixture.Recoveries.Add(recovery);
        var sut = _fixture.CreateSut();
        using var other = HoldLock();

        var results = await sut.RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Postponed, Assert.Single(results).Outcome);
        Assert.Contains("another process", results[0].Reason, StringComparison.Ordinal);
        await recovery.DidNotReceiveWithAnyArgs().RecoverAsync(default!, default);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_LockReleasedWhileWaiting_RechecksAndDoesNotRefreshTwice()
    {
        _fixture.Configure = o => o.LockTimeout = TimeSpan.FromSeconds(10);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
        var sut = _fixture.CreateSut();
        var other = HoldLock();

        var run = sut.RunOnceAsync(CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromSeconds(1));

        // The other process finishes its refresh: the runner is now good for an hour, and the lock is free.
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddHours(1)));
        other.Dispose();
        for (var i = 0; i < 100 && !run.IsCompleted; i++)
        {
            _fixture.Time.Advance(TimeSpan.FromMilliseconds(200));
            await Task.Delay(10);
        }

        var results = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_LockFreeAgainAfterACheck()
    {
        _fixture.SourceSays(ExpiryObservation.ValidNoExpiry("github"));
        var sut = _fixture.CreateSut();

        await sut.RunOnceAsync(CancellationToken.None);

        using var again = HoldLock();
        Assert.NotNull(again);
    }

    [Fact]
    public async Task RunOnceAsync_AnotherProcessTakesTheLockBetweenTwoChecks_SecondPostponed()
    {
        _fixture.Configure = o => o.LockTimeout = TimeSpan.Zero;
        _fixture.SourceSays(ExpiryObservation.ValidNoExpiry("github"));
        var sut = _fixture.CreateSut();
        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(await sut.RunOnceAsync(CancellationToken.None)).Outcome);

        using var other = HoldLock();
        var results = await sut.RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Postponed, Assert.Single(results).Outcome);
    }

    [Fact]
    public async Task RunOnceAsync_LockFileDeletedWhileAnotherRunRefreshes_PostponesInsteadOfRepairing()
    {
        // arrange: the first run is in the middle of its re-registration
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
        var inside = new TaskCompletionSource();
        var finish = new TaskCompletionSource();
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(async _ =>
        {
            inside.TrySetResult();
            await finish.Task;
        });
        var first = _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        await inside.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var second = new EngineFixture();
        second.Runners[0].Dispose();
        second.Runners[0] = _fixture.Runners[0];
        second.Configure = o => o.LockTimeout = TimeSpan.Zero;
        second.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
        var recovery = Substitute.For<IRefreshRecovery>();
        second.Recoveries.Add(recovery);

        // act: someone deletes the held lock file, and a second run starts
        File.Delete(Path.Combine(Path.GetDirectoryName(_fixture.StateFile())!, "refresh.lock"));
        var results = await second.CreateSut().RunOnceAsync(CancellationToken.None);
        finish.SetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(10));

        // assert
        Assert.Equal(RefreshOutcome.Postponed, Assert.Single(results).Outcome);
        await recovery.DidNotReceiveWithAnyArgs().RecoverAsync(default!, default);
        await second.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_LockFileIsASymbolicLink_FailsNamingItAndCreatesNothingThrough()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
        var directory = Path.GetDirectoryName(_fixture.StateFile())!;
        Directory.CreateDirectory(directory);
        var target = Path.Combine(_fixture.Runners[0].Root, "elsewhere");
        File.CreateSymbolicLink(Path.Combine(directory, "refresh.lock"), target);

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        // Not "postponed: another process": nothing else holds it, and waiting would not help.
        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        Assert.Contains("refresh.lock is a symbolic link", results[0].Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task AcquireAsync_StateFolderOpenToOthers_MadeOwnerOnlyAndLocked()
    {
        var folder = Path.Combine(_fixture.Runners[0].Root, "state-755");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);

        using (var held = await AcquireAsync(folder))
        {
            // The folder is owner-only before the lock is handed over, and it is the folder that is locked too.
            Assert.NotNull(held);
            Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(folder));
            Assert.Null(await AcquireAsync(folder));
        }

        using var again = await AcquireAsync(folder);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task AcquireAsync_StateFolderMissing_MadeOwnerOnly()
    {
        var folder = Path.Combine(_fixture.Runners[0].Root, "new", "state");

        using var held = await AcquireAsync(folder);

        Assert.NotNull(held);
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(folder));
        Assert.True(File.Exists(Path.Combine(folder, RunnerLock.FileName)));
    }

    [Fact]
    public async Task AcquireAsync_FileWhereTheStateFolderShouldBe_FailsNamingItAndLeavesTheFile()
    {
        var folder = Path.Combine(_fixture.Runners[0].Root, "state-file");
        File.WriteAllText(folder, "not a folder");

        var error = await Assert.ThrowsAnyAsync<IOException>(() => AcquireAsync(folder));

        Assert.Contains(folder, error.Message, StringComparison.Ordinal);
        Assert.Equal("not a folder", File.ReadAllText(folder));
    }

    [Fact]
    public async Task AcquireAsync_AgainAndAgain_KeepsTwoHandlesAndLocksThemEachTime()
    {
        var folder = Path.Combine(_fixture.Runners[0].Root, "state");
        using var otherProcess = new RunnerLock(new FileSystem(), TimeProvider.System, keptRunners: 0);

        for (var check = 0; check < 3; check++)
        {
            using (var held = await AcquireAsync(folder))
            {
                Assert.NotNull(held);

                // Locked for another process (its own handles), and for another check in this one.
                Assert.Null(await AcquireAsync(folder, otherProcess));
                Assert.Null(await AcquireAsync(folder));
            }

            // Released, and still open for the next check: the lock file and the folder, nothing more.
            Assert.Equal(2, OpenHandles.On(folder));
            using (var other = await AcquireAsync(folder, otherProcess))
            {
                Assert.NotNull(other);
                Assert.Null(await AcquireAsync(folder));
            }
        }
    }

    [Fact]
    public async Task AcquireAsync_StateFolderDeletedAndMadeAgainBetweenChecks_TheNewFolderIsTheOneLocked()
    {
        var folder = Path.Combine(_fixture.Runners[0].Root, "state");
        using (await AcquireAsync(folder))
        {
        }

        // Between two checks the folder is deleted, and another process makes it again and takes the lock.
        Directory.Delete(folder, recursive: true);
        using var otherProcess = new RunnerLock(new FileSystem(), TimeProvider.System, keptRunners: 0);
        using var other = await AcquireAsync(folder, otherProcess);
        Assert.NotNull(other);

        // The handle kept on the deleted folder is no lock: the other process holds the folder at the path.
        Assert.Null(await AcquireAsync(folder));
        other.Dispose();
        using var again = await AcquireAsync(folder);
        Assert.NotNull(again);
        Assert.Equal(2, OpenHandles.On(folder));
    }

    [Fact]
    public async Task AcquireAsync_StateFolderOpenedToOthersBetweenChecks_MadeOwnerOnlyAgain()
    {
        var folder = Path.Combine(_fixture.Runners[0].Root, "state");
        using (await AcquireAsync(folder))
        {
        }

        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        using var held = await AcquireAsync(folder);

        Assert.NotNull(held);
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(folder));
    }

    [Fact]
    public async Task AcquireAsync_MoreRunnersThanTheLimitLeavesRoomFor_TheOthersOpenedAtEachCheck()
    {
        using var sut = new RunnerLock(new FileSystem(), TimeProvider.System, keptRunners: 1);
        var first = Path.Combine(_fixture.Runners[0].Root, "state-1");
        var second = Path.Combine(_fixture.Runners[0].Root, "state-2");

        for (var check = 0; check < 2; check++)
        {
            using (var one = await AcquireAsync(first, sut))
            using (var two = await AcquireAsync(second, sut))
            {
                Assert.NotNull(one);
                Assert.NotNull(two);
            }
        }

        Assert.Equal(2, OpenHandles.On(first));
        Assert.Equal(0, OpenHandles.On(second));
    }

    [Fact]
    public async Task Forget_ClosesTheKeptHandles_ALockHeldNowStaysHeldUntilReleased()
    {
        var folder = Path.Combine(_fixture.Runners[0].Root, "state");
        using var otherProcess = new RunnerLock(new FileSystem(), TimeProvider.System, keptRunners: 0);
        using (await AcquireAsync(folder))
        {
        }

        var held = await AcquireAsync(folder);
        _lock.Forget(folder);
        Assert.Null(await AcquireAsync(folder, otherProcess));

        held!.Dispose();
        Assert.Equal(0, OpenHandles.On(folder));
        using var other = await AcquireAsync(folder, otherProcess);
        Assert.NotNull(other);
    }

    [Theory]
    [InlineData(1024UL, 224)]
    [InlineData(524288UL, 131040)]
    [InlineData(128UL, 0)]
    [InlineData(64UL, 0)]
    [InlineData(ulong.MaxValue, 536870879)]
    public void KeptFor_AQuarterOfTheOpenFilesLimitLess128(ulong limit, int runners) =>
        Assert.Equal(runners, RunnerLock.KeptFor(limit));

    private async Task<IDisposable?> AcquireAsync(string stateFolder, RunnerLock? runnerLock = null) =>
        await (runnerLock ?? _lock).AcquireAsync(
            new RunnerContext("runner-1", _fixture.Runners[0].Path, "https://github.com/acme", stateFolder),
            TimeSpan.Zero,
            CancellationToken.None);

    private FileStream HoldLock()
    {
        var directory = Path.GetDirectoryName(_fixture.StateFile())!;
        Directory.CreateDirectory(directory);
        return new FileStream(Path.Combine(directory, "refresh.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
    }
}
