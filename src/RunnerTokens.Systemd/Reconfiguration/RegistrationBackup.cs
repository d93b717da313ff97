using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text.Json;

namespace RunnerTokens.Systemd;

/// <summary>
/// Copies the registration files, <c>.service</c> and the service environment (<c>.path</c>, <c>.env</c>,
/// <c>svc.sh</c>) into the state folder, recording those that do not exist too, and puts them back byte for byte,
/// with their mode and modification time (the listener-log source compares log times with <c>.runner</c>'s).
/// Every method that changes the runner directory is safe to repeat.
/// </summary>
internal sealed class RegistrationBackup(IFileSystem fileSystem, ReconfigurationJournal journal)
{
    public List<BackedUpFile> Save(RunnerContext runner)
    {
        var folder = journal.BackupPath(runner);
        if (fileSystem.Directory.Exists(folder))
        {
            // Clutter from a finished refresh (the journal goes first); never a backup that a journal still needs.
            fileSystem.Directory.Delete(folder, recursive: true);
        }

        AtomicFile.CreateOwnerOnlyDirectory(fileSystem, runner.StateDirectory);
        AtomicFile.CreateOwnerOnlyDirectory(fileSystem, folder);
        var files = new List<BackedUpFile>();
        foreach (var name in RunnerFiles.BackedUp)
        {
            var source = fileSystem.Path.Combine(runner.Directory, name);
            if (!fileSystem.File.Exists(source))
            {
                files.Add(new BackedUpFile { Name = name, Absent = true });
                continue;
            }

            // A FIFO or a device planted in the runner folder is refused, never waited on.
            var bytes = UnixFileStatus.ReadAllBytes(fileSystem, source);
            AtomicFile.Write(fileSystem, fileSystem.Path.Combine(folder, name), bytes, AtomicFile.OwnerOnly);
            files.Add(new BackedUpFile
            {
                Name = name,
                Sha256 = Hash(bytes),
                Length = bytes.Length,
                Mode = (int)AtomicFile.GetMode(fileSystem, source),
                LastWriteTimeUtc = fileSystem.File.GetLastWriteTimeUtc(source),
            });
        }

        return files;
    }

    /// <summary>Puts the old registration back exactly, and deletes a registration file that did not exist before (a half-written new one).</summary>
    public void RestoreRegistration(RunnerContext runner, IReadOnlyList<BackedUpFile> files) => Restore(runner, files, RunnerFiles.Registration, leftWithoutBackup: null);

    /// <summary>Puts <c>.path</c>, <c>.env</c> and <c>svc.sh</c> back exactly as they were; one that did not exist is deleted again.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="files">The files the backup considered.</param>
    /// <param name="leftWithoutBackup">When given, a file that needs its copy from a backup folder that is gone is left as it is and named here, instead of failing.</param>
    public void RestoreServiceEnvironment(RunnerContext runner, IReadOnlyList<BackedUpFile> files, ICollection<string>? leftWithoutBackup = null) =>
        Restore(runner, files, RunnerFiles.ServiceEnvironment, leftWithoutBackup);

    /// <summary>Whether the backup folder of <paramref name="runner"/> exists.</summary>
    public bool Exists(RunnerContext runner) => fileSystem.Directory.Exists(journal.BackupPath(runner));

    /// <summary>Moves <c>.service</c> aside, as <c>config.sh remove</c> refuses to run while it exists.</summary>
    public void MoveServiceAside(RunnerContext runner)
    {
        var service = fileSystem.Path.Combine(runner.Directory, RunnerFiles.Service);
        if (fileSystem.File.Exists(service))
        {
            fileSystem.File.Move(service, fileSystem.Path.Combine(runner.Directory, RunnerFiles.ServiceAside), overwrite: true);
        }
    }

    /// <summary>Puts <c>.service</c> back: from beside the runner files, else from the backup.</summary>
    public void PutServiceBack(RunnerContext runner, IReadOnlyList<BackedUpFile> files)
    {
        var service = fileSystem.Path.Combine(runner.Directory, RunnerFiles.Service);
        var aside = fileSystem.Path.Combine(runner.Directory, RunnerFiles.ServiceAside);
        if (fileSystem.File.Exists(service))
        {
            if (fileSystem.File.Exists(aside))
            {
                fileSystem.File.Delete(aside);
            }

            return;
        }

        if (fileSystem.File.Exists(aside))
        {
            fileSystem.File.Move(aside, service);
            return;
        }

        if (files.FirstOrDefault(f => f.Name == RunnerFiles.Service) is { Absent: false } saved)
        {
            var bytes = ReadVerified(fileSystem.Path.Combine(journal.BackupPath(runner), RunnerFiles.Service), saved);
            AtomicFile.Write(fileSystem, service, bytes, (UnixFileMode)saved.Mode, saved.LastWriteTimeUtc);
        }
    }

    /// <summary>
    /// Whether the runner directory holds a complete registration under <paramref name="name"/>: a readable
    /// <c>.runner</c> (config.sh writes it last) whose <c>agentName</c> is that name, with <c>.credentials</c> and the key.
    /// </summary>
    /// <returns>Null when complete; otherwise what is missing or wrong.</returns>
    public string? IncompleteRegistration(RunnerContext runner, string name)
    {
        var missing = RunnerFiles.Complete.Where(file => !fileSystem.File.Exists(fileSystem.Path.Combine(runner.Directory, file))).ToList();
        if (missing.Count > 0)
        {
            return $"{string.Join(", ", missing)} missing";
        }

        if ((Unreadable(runner, RunnerFiles.Credentials, "scheme") ?? Unreadable(runner, RunnerFiles.RsaParams, "modulus")) is { } unreadable)
        {
            return unreadable;
        }

        var (settings, problem) = RunnerSettingsFile.Read(fileSystem, runner.Directory);
        if (settings is null)
        {
            return problem;
        }

        return string.Equals(settings.AgentName, name, StringComparison.Ordinal)
            ? null
            : $"{RunnerFiles.Runner} names the runner '{settings.AgentName}', not '{name}'";
    }

    /// <summary>
    /// Puts each of <paramref name="names"/> back. A file that already has the saved bytes, mode and time is not
    /// touched at all (an unwritable runner folder must not fail a repair that has nothing to do); one that cannot be
    /// put back does not stop the others: every failure is reported at the end, by file.
    /// </summary>
    private void Restore(RunnerContext runner, IReadOnlyList<BackedUpFile> files, IReadOnlyList<string> names, ICollection<string>? leftWithoutBackup)
    {
        var failures = new List<string>();
        foreach (var name in names)
        {
            // A file the backup did not consider (a journal of version 1) is left as it is.
            if (files.FirstOrDefault(f => f.Name == name) is not { } saved)
            {
                continue;
            }

            var target = fileSystem.Path.Combine(runner.Directory, name);
            try
            {
                if (!RestoreOne(runner, target, saved, leftWithoutBackup is not null))
                {
                    leftWithoutBackup?.Add(saved.Name);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{target}: {ex.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new IOException($"could not put back {string.Join("; ", failures)}");
        }
    }

    /// <returns>False when the file was left as it is because its copy is gone and <paramref name="tolerateMissingBackup"/>.</returns>
    private bool RestoreOne(RunnerContext runner, string target, BackedUpFile saved, bool tolerateMissingBackup)
    {
        if (saved.Absent)
        {
            if (fileSystem.File.Exists(target))
            {
                fileSystem.File.Delete(target);
            }

            return true;
        }

        // Looked at before the backup: a file that is already right needs no copy (nor a backup folder).
        if (ReadIfThere(target) is { } current && Hash(current) == saved.Sha256 && KeptWithModeAndTime(target, saved))
        {
            return true;
        }

        var copy = fileSystem.Path.Combine(journal.BackupPath(runner), saved.Name);
        if (tolerateMissingBackup && !fileSystem.File.Exists(copy))
        {
            return false;
        }

        var bytes = ReadVerified(copy, saved);
        AtomicFile.Write(fileSystem, target, bytes, (UnixFileMode)saved.Mode, saved.LastWriteTimeUtc);
        return true;
    }

    /// <returns>Null when <paramref name="name"/> is a JSON object with a non-empty string <paramref name="property"/>; else what is wrong.</returns>
    private string? Unreadable(RunnerContext runner, string name, string property)
    {
        var path = fileSystem.Path.Combine(runner.Directory, name);
        if (!UnixFileStatus.MayOpen(fileSystem, path))
        {
            return $"{name} is not a regular file";
        }

        try
        {
            using var document = JsonDocument.Parse(Utf8Bom.Strip(fileSystem.File.ReadAllBytes(path)));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value)
                && value.ValueKind == JsonValueKind.String
                && !string.IsNullOrEmpty(value.GetString())
                    ? null
                    : $"{name} has no '{property}'";
        }
        catch (JsonException)
        {
            return $"{name} is not readable JSON";
        }
    }

    /// <summary>
    /// The file's bytes, or null when it is not there: also when it goes between the look and the read (a config.sh
    /// that outlived the run it was started by may still be removing files).
    /// </summary>
    private byte[]? ReadIfThere(string path)
    {
        try
        {
            return fileSystem.File.Exists(path) && UnixFileStatus.MayOpen(fileSystem, path) ? fileSystem.File.ReadAllBytes(path) : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private byte[] ReadVerified(string path, BackedUpFile saved)
    {
        var bytes = fileSystem.File.Exists(path)
            ? fileSystem.File.ReadAllBytes(path)
            : throw new IOException($"The backup {path} is missing; it is needed to restore {saved.Name}.");
        return Hash(bytes) == saved.Sha256
            ? bytes
            : throw new IOException($"The backup {path} does not match the journal (SHA-256 differs); {saved.Name} was not restored from it.");
    }

    /// <summary>
    /// Keeps the file that is already right (and its owner) as it is, setting only a mode or time that differs; false
    /// when it went meanwhile (a config.sh that outlived its run removing it just after it was read), to be put back
    /// from the copy.
    /// </summary>
    private bool KeptWithModeAndTime(string path, BackedUpFile saved)
    {
        try
        {
            if (!OperatingSystem.IsWindows() && (int)AtomicFile.GetMode(fileSystem, path) != saved.Mode)
            {
                fileSystem.File.SetUnixFileMode(path, (UnixFileMode)saved.Mode);
            }

            if (fileSystem.File.GetLastWriteTimeUtc(path) != saved.LastWriteTimeUtc)
            {
                fileSystem.File.SetLastWriteTimeUtc(path, saved.LastWriteTimeUtc);
            }

            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
