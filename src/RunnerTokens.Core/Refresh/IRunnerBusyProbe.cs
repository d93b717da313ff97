namespace RunnerTokens;

/// <summary>Tells whether a runner is running a job, so the engine never stops it mid-job.</summary>
public interface IRunnerBusyProbe
{
    /// <summary>Asks whether <paramref name="runner"/> is busy right now.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// <see cref="RunnerBusyState.Busy"/> when the runner is running a job, <see cref="RunnerBusyState.Idle"/> when it
    /// surely is not, <see cref="RunnerBusyState.Unknown"/> when the probe cannot tell (a failed or incomplete answer).
    /// </returns>
    ValueTask<RunnerBusyState> GetBusyStateAsync(RunnerContext runner, CancellationToken cancellationToken);
}
