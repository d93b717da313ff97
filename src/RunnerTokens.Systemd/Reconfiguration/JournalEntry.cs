namespace RunnerTokens.Systemd;

/// <summary>The journal of one re-registration in progress: enough to finish or undo it after a crash. Never a token.</summary>
internal sealed class JournalEntry
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public string Runner { get; set; } = string.Empty;

    public ReconfigurationStep Step { get; set; }

    /// <summary>Gets or sets the unit that was stopped (and must run again); null when the runner is not a service.</summary>
    public string? Unit { get; set; }

    public bool UserUnit { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Gets or sets the files in the backup, with what is needed to put each back exactly.</summary>
    public List<BackedUpFile> Files { get; set; } = [];
}

/// <summary>One file of the backup: its name in the runner directory, its SHA-256, mode and modification time.</summary>
internal sealed class BackedUpFile
{
    public string Name { get; set; } = string.Empty;

    public string Sha256 { get; set; } = string.Empty;

    public long Length { get; set; }

    public int Mode { get; set; }

    public DateTime LastWriteTimeUtc { get; set; }
}
