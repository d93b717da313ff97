using System.IO.Abstractions;
using System.Text.Json;

namespace RunnerTokens.Systemd;

/// <summary>
/// The journal (<c>systemd-journal.json</c>) and backup folder (<c>systemd-backup/</c>) in a runner's state folder,
/// written atomically, for the owner only.
/// </summary>
internal sealed class ReconfigurationJournal(IFileSystem fileSystem)
{
    public const string JournalFileName = "systemd-journal.json";
    public const string BackupFolderName = "systemd-backup";

    public string JournalPath(RunnerContext runner) => fileSystem.Path.Combine(runner.StateDirectory, JournalFileName);

    public string BackupPath(RunnerContext runner) => fileSystem.Path.Combine(runner.StateDirectory, BackupFolderName);

    /// <summary>Reads the journal; null when there is none. A corrupt journal throws, naming the file: guessing could lose the runner.</summary>
    public JournalEntry? Read(RunnerContext runner)
    {
        var path = JournalPath(runner);
        if (!fileSystem.File.Exists(path))
        {
            return null;
        }

        JournalEntry entry;
        try
        {
            entry = JsonSerializer.Deserialize(fileSystem.File.ReadAllBytes(path), SystemdJsonContext.Default.JournalEntry)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"The re-registration journal {path} is corrupt ({ex.Message}). Check the runner's files against the backup in {BackupPath(runner)}, then delete the journal.",
                ex);
        }

        return entry.Version switch
        {
            JournalEntry.CurrentVersion => entry,
            1 => FromVersion1(entry),
            _ => throw new InvalidDataException(
                $"The re-registration journal {path} has version {entry.Version}, which this version of RunnerTokens.Systemd does not know (it knows 1 and {JournalEntry.CurrentVersion}); repair the runner with the version that wrote it, or by hand from {BackupPath(runner)}."),
        };
    }

    public void Write(RunnerContext runner, JournalEntry entry)
    {
        AtomicFile.CreateOwnerOnlyDirectory(fileSystem, runner.StateDirectory);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, SystemdJsonContext.Default.JournalEntry);
        AtomicFile.Write(fileSystem, JournalPath(runner), bytes, AtomicFile.OwnerOnly);
    }

    /// <summary>
    /// Reads a journal of version 1 (an upgrade after a crash): its steps have the same names; it listed only the
    /// registration files that existed (the others are absent) and did not back up the service environment (left alone).
    /// </summary>
    private static JournalEntry FromVersion1(JournalEntry entry)
    {
        foreach (var name in RunnerFiles.Registration.Where(name => entry.Files.All(f => f.Name != name)))
        {
            entry.Files.Add(new BackedUpFile { Name = name, Absent = true });
        }

        if (string.IsNullOrEmpty(entry.Name))
        {
            entry.Name = entry.Runner;
        }

        entry.Version = JournalEntry.CurrentVersion;
        return entry;
    }

    /// <summary>Drops the journal, then the backup: a backup left without a journal is only clutter, cleared by the next backup.</summary>
    public void Delete(RunnerContext runner)
    {
        var journal = JournalPath(runner);
        if (fileSystem.File.Exists(journal))
        {
            fileSystem.File.Delete(journal);
        }

        var backup = BackupPath(runner);
        if (fileSystem.Directory.Exists(backup))
        {
            fileSystem.Directory.Delete(backup, recursive: true);
        }
    }
}
