namespace RunnerTokens;

/// <summary>A registration or remove token for a runner scope, as GitHub issues it (one hour of life).</summary>
/// <remarks>The token is a secret: <see cref="ToString"/> never shows it, and nothing in RunnerTokens stores or logs it.</remarks>
public sealed class RegistrationToken
{
    /// <summary>Initializes a new instance of the <see cref="RegistrationToken"/> class.</summary>
    /// <param name="token">The token.</param>
    /// <param name="expiresAt">When GitHub says it expires.</param>
    public RegistrationToken(string token, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        Token = token;
        ExpiresAt = expiresAt;
    }

    /// <summary>Gets the token. A secret: pass it on only through an environment variable or standard input.</summary>
    public string Token { get; }

    /// <summary>Gets when the token expires.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Returns a description without the token.</summary>
    /// <returns>The text <c>RegistrationToken(***, expires …)</c>.</returns>
    public override string ToString() => $"RegistrationToken(***, expires {ExpiresAt:O})";
}
