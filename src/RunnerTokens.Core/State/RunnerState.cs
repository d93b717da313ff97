using System.Text.Json.Serialization;

namespace RunnerTokens.State;

/// <summary>What the engine remembers about one runner between checks and restarts. Never a token.</summary>
internal sealed class RunnerState
{
    /// <summary>Gets or sets the registration-token expiry cache: when the last token used to register expires.</summary>
    [JsonPropertyName("registration_token_expires_at")]
    public DateTimeOffset? RegistrationTokenExpiresAt { get; set; }

    /// <summary>Gets or sets how many refreshes in a row have failed.</summary>
    [JsonPropertyName("consecutive_failures")]
    public int ConsecutiveFailures { get; set; }
}
