using RunnerTokens.Shared;

namespace RunnerTokens.Tests.Shared;

public sealed class GraceAfterStopTests
{
    private static readonly TimeSpan _grace = TimeSpan.FromMilliseconds(300);

    // Reached only when the wait is not bounded: the test fails rather than hangs.
    private static readonly TimeSpan _hung = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WaitAsync_NotStopped_WaitsForTheResultAsLongAsItTakes()
    {
        var ends = new TaskCompletionSource<int>();
        using var stop = new CancellationTokenSource();

        var waiting = GraceAfterStop.WaitAsync(ends.Task, stop.Token, _grace);
        await Task.Delay(_grace * 3);
        Assert.False(waiting.IsCompleted);
        ends.SetResult(7);

        Assert.Equal(7, await waiting.WaitAsync(_hung));
    }

    [Fact]
    public async Task WaitAsync_StoppedAndTheTaskEndsWithinTheGrace_ItsOutcome()
    {
        var ends = new TaskCompletionSource<int>();
        using var stop = new CancellationTokenSource();

        var waiting = GraceAfterStop.WaitAsync(ends.Task, stop.Token, _hung);
        await stop.CancelAsync();
        ends.SetException(new OperationCanceledException(stop.Token));

        await Assert.ThrowsAsync<OperationCanceledException>(() => waiting.WaitAsync(_hung));
    }

    [Fact]
    public async Task WaitAsync_StoppedAndTheTaskNeverEnds_TimeoutAfterTheGrace()
    {
        var never = new TaskCompletionSource<int>();
        using var stop = new CancellationTokenSource();

        var waiting = GraceAfterStop.WaitAsync(never.Task, stop.Token, _grace);
        await stop.CancelAsync();

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => waiting.WaitAsync(_hung));
        Assert.Equal("the process was stopped, but its end was not seen within 300 ms", timeout.Message);
    }

    [Fact]
    public async Task WaitAsync_StoppedBeforeTheWait_StillGivesTheGrace()
    {
        var ends = new TaskCompletionSource<int>();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var waiting = GraceAfterStop.WaitAsync(ends.Task, stop.Token, _hung);
        ends.SetResult(3);

        Assert.Equal(3, await waiting.WaitAsync(_hung));
    }
}
