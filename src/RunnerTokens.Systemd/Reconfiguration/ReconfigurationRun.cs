namespace RunnerTokens.Systemd;

/// <summary>One re-registration of one runner (or its plan, or its repair), as the steps see it.</summary>
internal sealed class ReconfigurationRun
{
    public required RunnerContext Runner { get; init; }

    /// <summary>Gets every setting to register with; null when only repairing a journal.</summary>
    public RunnerRegistration? Registration { get; init; }

    /// <summary>Gets the journal entry: the step in progress, the unit, the backed-up files.</summary>
    public required JournalEntry Journal { get; init; }

    /// <summary>Gets the masker that knows every token of this run.</summary>
    public required SecretMasker Masker { get; init; }

    /// <summary>Gets where the unit's name came from (or why there is none), for the logs and the plan.</summary>
    public string UnitOrigin { get; init; } = string.Empty;

    /// <summary>Gets what <c>.runner</c> said before anything changed; null when it was missing or unreadable.</summary>
    public RunnerSettings? Previous { get; init; }

    /// <summary>Gets the registration token; null for a plan (shown as <c>***</c>).</summary>
    public string? RegistrationToken { get; init; }

    /// <summary>Gets or sets the runner's logs right before the unit was started: what is new or grown after it is the new listener's.</summary>
    public DiagLogSnapshot? LogsBeforeStart { get; set; }

    /// <summary>Gets the unit to stop and start; null when the runner is not a service.</summary>
    public string? Unit => Journal.Unit;

    public RunnerRegistration RequiredRegistration =>
        Registration ?? throw new InvalidOperationException("A repair has no registration to register with; only the sequence does.");
}
