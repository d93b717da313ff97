namespace RunnerTokens;

/// <summary>Issues registration and remove tokens for a runner scope.</summary>
public interface ITokenIssuer
{
    /// <summary>Gets a registration token for <c>config.sh</c> to register a runner in <paramref name="scope"/>.</summary>
    /// <param name="scope">The organisation, repository or enterprise.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token and its expiry.</returns>
    Task<RegistrationToken> CreateRegistrationTokenAsync(RunnerScope scope, CancellationToken cancellationToken);

    /// <summary>Gets a remove token for <c>config.sh remove</c> to unregister a runner from <paramref name="scope"/>.</summary>
    /// <param name="scope">The organisation, repository or enterprise.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token and its expiry.</returns>
    Task<RegistrationToken> CreateRemoveTokenAsync(RunnerScope scope, CancellationToken cancellationToken);
}
