namespace RunnerTokens;

/// <summary>Runs one check-and-refresh cycle over every configured runner: the cron mode, and each tick of the daemon.</summary>
public interface IRunnerTokenRefresher
{
    /// <summary>Checks every runner once and refreshes those that need it. One failing runner never stops another.</summary>
    /// <param name="cancellationToken">Stops the cycle; a refresh in progress is rolled back by the reconfigurer.</param>
    /// <returns>One result per runner, in the configured order.</returns>
    Task<IReadOnlyList<RunnerRefreshResult>> RunOnceAsync(CancellationToken cancellationToken);
}
