using System.Diagnostics;

namespace RunnerTokens.TestKit;

/// <summary>Waits for something another thread or process makes happen, where nothing signals it.</summary>
public static class Poll
{
    private static readonly TimeSpan _step = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Looks at <paramref name="condition"/> every 10 ms until it holds or <paramref name="timeout"/> has passed, and
    /// gives its last value: the caller asserts it, naming what it waited for. A limit on the wait, never a measure of
    /// speed.
    /// </summary>
    /// <param name="condition">What is waited for.</param>
    /// <param name="timeout">The longest wait; 5 s when not given.</param>
    /// <returns>Whether <paramref name="condition"/> holds at the end.</returns>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed >= limit)
            {
                return condition();
            }

            await Task.Delay(_step).ConfigureAwait(false);
        }

        return true;
    }
}
