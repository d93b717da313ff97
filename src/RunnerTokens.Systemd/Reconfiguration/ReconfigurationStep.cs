namespace RunnerTokens.Systemd;

/// <summary>The step of a re-registration in progress, as the journal records it before the step begins.</summary>
internal enum ReconfigurationStep
{
    /// <summary>Copying the registration files into the state folder; nothing has changed yet.</summary>
    Backup,

    /// <summary>Stopping the unit and waiting until it is inactive.</summary>
    Stop,

    /// <summary><c>.service</c> moved aside, <c>config.sh remove</c>, <c>.service</c> put back.</summary>
    Remove,

    /// <summary><c>config.sh --unattended ... --replace</c>.</summary>
    Configure,

    /// <summary>Starting the unit with the new registration and checking it is active.</summary>
    Start,
}
