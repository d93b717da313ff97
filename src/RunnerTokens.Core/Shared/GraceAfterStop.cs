namespace RunnerTokens.Shared;

/// <summary>
/// Waits for a child process's task past a stop (its time limit, or the caller's cancellation) for a bounded time only.
/// Once stopped, CliWrap kills the process tree and waits for the process to end; a process whose end the runtime never
/// hears of (its <c>SIGCHLD</c> lost, as when a tracer detaches at the wrong moment; a zombie nobody reaps) would hold
/// that wait, and the refresher, forever. Shared source: compiled into Core, and linked into GitHub and Systemd, where
/// it stays internal.
/// </summary>
internal static class GraceAfterStop
{
    /// <summary>How long a killed process may take to be seen ending before it is left behind.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The result of <paramref name="task"/>; once <paramref name="stop"/> is cancelled, at most <paramref name="grace"/>
    /// (real time: a process's end is) more, then <see cref="TimeoutException"/>: the task is left behind.
    /// </summary>
    public static async Task<T> WaitAsync<T>(Task<T> task, CancellationToken stop, TimeSpan grace)
    {
        using var abandon = new CancellationTokenSource();
        using (stop.UnsafeRegister(
            static state =>
            {
                var (source, after) = ((CancellationTokenSource, TimeSpan))state!;
                source.CancelAfter(after);
            },
            (abandon, grace)))
        {
            try
            {
                return await task.WaitAsync(abandon.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                return task.IsCompleted
                    ? await task.ConfigureAwait(false)
                    : throw new TimeoutException($"the process was stopped, but its end was not seen within {LogText.Duration(grace)}");
            }
        }
    }
}
