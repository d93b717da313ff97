using System.Globalization;

namespace RunnerTokens;

/// <summary>
/// The attempt of a refresh that is running on this asynchronous flow, set by the engine around each attempt (as
/// <see cref="System.Diagnostics.Activity.Current"/> is). What the attempt calls (a token issuer's HTTP retries, say)
/// reads it to take its retries from the budget every attempt of the refresh shares, and to say where it is:
/// "GitHub call 2 of 5, refresh attempt 1 of 3". Outside a refresh, <see cref="Current"/> is <see langword="null"/>.
/// </summary>
public sealed class RefreshAttempt
{
    private static readonly AsyncLocal<RefreshAttempt?> _current = new();

    private readonly RetryBudgets _budgets;

    private RefreshAttempt(string runnerName, int number, int maxAttempts, RetryBudgets budgets)
    {
        RunnerName = runnerName;
        Number = number;
        MaxAttempts = maxAttempts;
        _budgets = budgets;
    }

    /// <summary>Gets the attempt running on this flow, or <see langword="null"/> outside a refresh.</summary>
    public static RefreshAttempt? Current => _current.Value;

    /// <summary>Gets the runner being refreshed.</summary>
    public string RunnerName { get; }

    /// <summary>Gets the attempt's number, from 1.</summary>
    public int Number { get; }

    /// <summary>Gets how many attempts the refresh may make in all (<see cref="RunnerTokenRefreshOptions.MaxRetryAttempts"/>).</summary>
    public int MaxAttempts { get; }

    /// <summary>
    /// Takes one retry from the budget named <paramref name="budget"/>, which every call and every attempt of this
    /// refresh share: a refresh that already retried a GitHub call four times in its first attempt has no GitHub
    /// retries left in its second.
    /// </summary>
    /// <param name="budget">The budget's name (<c>GitHub</c>).</param>
    /// <param name="limit">How many retries the budget holds for the whole refresh.</param>
    /// <returns><see langword="true"/> when a retry was left and is now taken.</returns>
    public bool TryTakeRetry(string budget, int limit) => _budgets.TryTake(budget, limit);

    /// <summary>Gets how many retries of <paramref name="budget"/> this refresh has taken so far, in all its attempts.</summary>
    /// <param name="budget">The budget's name.</param>
    /// <returns>The retries taken.</returns>
    public int RetriesTaken(string budget) => _budgets.Taken(budget);

    /// <summary>Returns "refresh attempt 1 of 3".</summary>
    /// <returns>The attempt, for a log line.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"refresh attempt {Number} of {MaxAttempts}");

    /// <summary>Makes a new refresh's budgets, for all of its attempts.</summary>
    internal static RetryBudgets NewBudgets() => new();

    /// <summary>Sets <see cref="Current"/> for the flow of one attempt until the returned scope is disposed.</summary>
    internal static Scope Enter(string runnerName, int number, int maxAttempts, RetryBudgets budgets)
    {
        var previous = _current.Value;
        _current.Value = new RefreshAttempt(runnerName, number, maxAttempts, budgets);
        return new Scope(previous);
    }

    /// <summary>Puts back the attempt that was current before.</summary>
    internal readonly struct Scope(RefreshAttempt? previous) : IDisposable
    {
        public void Dispose() => _current.Value = previous;
    }

    /// <summary>The retries one refresh has taken, by budget, shared by its attempts.</summary>
    internal sealed class RetryBudgets
    {
        private readonly Dictionary<string, int> _taken = new(StringComparer.Ordinal);

        public bool TryTake(string budget, int limit)
        {
            lock (_taken)
            {
                var taken = _taken.GetValueOrDefault(budget);
                if (taken >= limit)
                {
                    return false;
                }

                _taken[budget] = taken + 1;
                return true;
            }
        }

        public int Taken(string budget)
        {
            lock (_taken)
            {
                return _taken.GetValueOrDefault(budget);
            }
        }
    }
}
