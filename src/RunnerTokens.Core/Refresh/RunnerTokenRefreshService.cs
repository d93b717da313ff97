using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Refresh;

/// <summary>The daemon: one cycle over every runner, then a wait of <see cref="RunnerTokenRefreshOptions.CheckInterval"/>, until stopped.</summary>
internal sealed class RunnerTokenRefreshService(
    IRunnerTokenRefresher refresher,
    IOptions<RunnerTokenRefreshOptions> options,
    TimeProvider timeProvider,
    ILogger<RunnerTokenRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.CheckInterval;
        Log.DaemonStarted(logger, options.Value.Runners.Count, interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunIterationAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(interval, timeProvider, stoppingToken).ConfigureAwait(false);
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
            await refresher.RunOnceAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the reconfigurer has rolled back whatever was in progress.
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.CycleFailed(logger, options.Value.CheckInterval, ex.Message, ex);
        }
    }
}
