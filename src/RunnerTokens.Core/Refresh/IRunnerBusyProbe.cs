namespace RunnerTokens;

/// <summary>Tells whether a runner is running a job, so the engine never stops it mid-job.</summary>
public interface IRunnerBusyProbe
{
    /// <summary>Asks whether <paramref name="runner"/> is busy right now.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns><see langword="true"/> when the runner is running a job.</returns>
    ValueTask<bool> IsBusyAsync(RunnerContext runner, CancellationToken cancellationToken);
}
