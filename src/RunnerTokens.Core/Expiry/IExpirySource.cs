namespace RunnerTokens;

/// <summary>
/// Tells when a runner's registration needs renewing: at a time, now (it is invalid), never (it is valid and
/// does not expire), or that it cannot tell.
/// </summary>
/// <remarks>
/// The engine asks every registered source at each check and acts on the most urgent answer (a hint for remote sources,
/// <see cref="IExpiryHintSource"/>, only when one is registered). A source that throws counts as
/// <see cref="ExpiryObservationKind.Unknown"/>. Register one with
/// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IExpirySource, MySource&gt;())</c>.
/// </remarks>
public interface IExpirySource
{
    /// <summary>Observes one runner.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="cancellationToken">Cancels the observation.</param>
    /// <returns>What the source observed.</returns>
    ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken);
}
