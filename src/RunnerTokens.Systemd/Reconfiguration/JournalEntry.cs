namespace RunnerTokens.Systemd;

/// <summary>The journal of one re-registration in progress: enough to finish or undo it after a crash. Never a token.</summary>
internal sealed class JournalEntry
{
    /// <summary>Version 2: steps by name, the name being registered, absent files recorded, the service environment backed up.</summary>
    public const int CurrentVersion = 2;

    public int Version { get; set; } = CurrentVersion;

    /// <summary>Gets or sets the runner, as the refresher names it.</summary>
    public string Runner { get; set; } = string.Empty;

    /// <summary>Gets or sets the name the runner is registered under: a complete new registration has it as <c>agentName</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the <see cref="ReconfigurationStep.Name"/> of the step in progress, written before it begins.</summary>
    public string Step { get; set; } = string.Empty;

    /// <summary>Gets or sets the unit that was stopped (and must run again); null when the runner is not a service.</summary>
    public string? Unit { get; set; }

    public bool UserUnit { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Gets or sets every file the backup considered, with what is needed to put each back exactly (or to delete it again).</summary>
    public List<BackedUpFile> Files { get; set; } = [];
}

/// <summary>One file of the backup: its name in the runner directory, its SHA-256, mode and modification time; or that it did not exist.</summary>
internal sealed class BackedUpFile
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets a value indicating whether the file did not exist: putting it back means deleting it.</summary>
    public bool Absent { get; set; }

    public string Sha256 { get; set; } = string.Empty;

    public long Length { get; set; }

    public int Mode { get; set; }

    public DateTime LastWriteTimeUtc { get; set; }
}
