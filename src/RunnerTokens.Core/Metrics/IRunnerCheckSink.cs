namespace RunnerTokens.Metrics;

/// <summary>
/// A metrics sink that also wants what a check found beyond <see cref="IMetricsSink"/>'s counts (<see cref="RunnerCheckFacts"/>),
/// and to know when a check of every runner has ended: a sink that writes every runner into one file writes it
/// once per check of all of them, not once per runner (a daemon of 1,000 runners would rewrite a file of 1,000
/// runners 1,000 times a check). The engine tells it in one-shot and daemon runs alike. Internal: the shipped
/// Prometheus sink is its only user; <see cref="IMetricsSink"/> stays as it is for everyone else.
/// </summary>
internal interface IRunnerCheckSink
{
    /// <summary>Records what the check of <paramref name="runner"/> found, after the check (and its refresh) ended.</summary>
    void RecordCheckFacts(RunnerContext runner, RunnerCheckFacts facts);

    /// <summary>Called once a check of every runner has ended, also when it was cancelled or a runner's check threw.</summary>
    /// <param name="runners">Every runner the engine keeps, in the configured order.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when what the check recorded is written.</returns>
    ValueTask CompleteCheckAsync(IReadOnlyList<RunnerContext> runners, CancellationToken cancellationToken);
}
