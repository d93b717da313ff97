using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Host.Logging;

/// <summary>
/// After each check of the daemon, tells systemd its summary (<c>STATUS=</c>), which <c>systemctl status</c> shows:
/// <c>last check 15:04:05Z: 2 runners ok, 1 refreshed, 0 failed; next in 1 min</c>. Nothing outside systemd.
/// </summary>
internal sealed class SystemdStatusObserver(IOptions<RunnerTokenRefreshOptions> options, ISystemdNotifier? notifier = null) : IRefreshCheckObserver
{
    public ValueTask OnCheckCompletedAsync(IReadOnlyList<RunnerRefreshResult> results, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        if (notifier is { IsEnabled: true })
        {
            notifier.Notify(new ServiceState("STATUS=" + Summary(results, completedAt, options.Value.CheckInterval)));
        }

        return ValueTask.CompletedTask;
    }

    internal static string Summary(IReadOnlyList<RunnerRefreshResult> results, DateTimeOffset completedAt, TimeSpan interval)
    {
        int Count(params RefreshOutcome[] outcomes) => results.Count(r => outcomes.Contains(r.Outcome));
        var ok = Count(RefreshOutcome.NotNeeded, RefreshOutcome.DryRun);
        var postponed = Count(RefreshOutcome.Postponed);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"last check {LogText.TimeOfDay(completedAt)}: {ok} {(ok == 1 ? "runner" : "runners")} ok, {Count(RefreshOutcome.Refreshed)} refreshed, {(postponed > 0 ? $"{postponed} postponed, " : string.Empty)}{Count(RefreshOutcome.Failed)} failed; next in {LogText.Duration(interval)}");
    }
}
