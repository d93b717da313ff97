using System.Collections.Concurrent;

namespace RunnerTokens.Metrics;

/// <summary>
/// Forgets what an in-memory sink kept for runners the engine no longer checks (a reload removed them), so that a gauge
/// or a health entry does not outlive its runner. The engine passes the same list at each check until its runners
/// change: only a new list is compared.
/// </summary>
internal sealed class RemovedRunners
{
    private IReadOnlyList<RunnerContext>? _seen;

    public void Forget<TValue>(ConcurrentDictionary<string, TValue> entries, IReadOnlyList<RunnerContext> runners)
    {
        if (ReferenceEquals(Interlocked.Exchange(ref _seen, runners), runners))
        {
            return;
        }

        var names = runners.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in entries.Keys)
        {
            if (!names.Contains(name))
            {
                entries.TryRemove(name, out _);
            }
        }
    }
}
