using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Refresh;

/// <summary>
/// The daemon: one cycle over every runner, then a wait of <see cref="RunnerTokenRefreshOptions.CheckInterval"/>, until
/// stopped. A changed interval counts from the next wait; options that fail validation leave the last good one.
/// </summary>
internal sealed class RunnerTokenRefreshService(
    IRunnerTokenRefresher refresher,
    IOptionsMonitor<RunnerTokenRefreshOptions> options,
    TimeProvider timeProvider,
    ILogger<RunnerTokenRefreshService> logger,
    IEnumerable<IRefreshCheckObserver>? observers = null) : BackgroundService
{
    private readonly IRefreshCheckObserver[] _observers = [.. observers ?? []];
    private readonly LastGoodOptions<RunnerTokenRefreshOptions> _settings = new(options);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = _settings.Value;
        Log.DaemonStarted(logger, settings.Runners.Count, LogText.Duration(settings.CheckInterval));
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunIterationAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(_settings.Value.CheckInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One tick: a whole cycle. A failure is logged and the daemon goes on; cancellation ends it.</summary>
    internal async Task RunIterationAsync(CancellationToken stoppingToken)
    {
        try
        {
            var results = await refresher.RunOnceAsync(stoppingToken).ConfigureAwait(false);
            await NotifyAsync(results, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the reconfigurer has rolled back whatever was in progress.
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.CycleFailed(logger, LogText.Duration(_settings.Value.CheckInterval), ex.Message, ex);
        }
    }

    private async Task NotifyAsync(IReadOnlyList<RunnerRefreshResult> results, CancellationToken stoppingToken)
    {
        var completedAt = timeProvider.GetUtcNow();
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnCheckCompletedAsync(results, completedAt, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.ObserverFailed(logger, observer.GetType().Name, ex.Message);
            }
        }
    }
}
