using System.IO.Abstractions;
using System.Security.Cryptography;

namespace RunnerTokens.Systemd;

/// <summary>
/// Copies the registration files and <c>.service</c> into the state folder and puts them back byte for byte, with
/// their mode and modification time (the listener-log source compares log times with <c>.runner</c>'s).
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
                continue;
            }

            var bytes = fileSystem.File.ReadAllBytes(source);
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

    /// <summary>
    /// Puts the registration back as it was: each backed-up file exactly (checked against its hash), and deletes any
    /// registration file that did not exist before (a half-written new registration). Safe to repeat.
    /// </summary>
    public void Restore(RunnerContext runner, IReadOnlyList<BackedUpFile> files)
    {
        var folder = journal.BackupPath(runner);
        foreach (var name in RunnerFiles.Registration)
        {
            var target = fileSystem.Path.Combine(runner.Directory, name);
            var saved = files.FirstOrDefault(f => f.Name == name);
            if (saved is null)
            {
                if (fileSystem.File.Exists(target))
                {
                    fileSystem.File.Delete(target);
                }

                continue;
            }

            var bytes = ReadVerified(fileSystem.Path.Combine(folder, name), saved);
            if (fileSystem.File.Exists(target) && Hash(fileSystem.File.ReadAllBytes(target)) == saved.Sha256)
            {
                // Already right: keep the file (and its owner) as it is, only its mode and time.
                SetModeAndTime(target, saved);
                continue;
            }

            AtomicFile.Write(fileSystem, target, bytes, (UnixFileMode)saved.Mode, saved.LastWriteTimeUtc);
        }
    }

    /// <summary>Moves <c>.service</c> aside, as <c>config.sh remove</c> refuses to run while it exists.</summary>
    public void MoveServiceAside(RunnerContext runner)
    {
        var service = fileSystem.Path.Combine(runner.Directory, RunnerFiles.Service);
        if (fileSystem.File.Exists(service))
        {
            fileSystem.File.Move(service, fileSystem.Path.Combine(runner.Directory, RunnerFiles.ServiceAside), overwrite: true);
        }
    }

    /// <summary>Puts <c>.service</c> back: from beside the runner files, else from the backup. Safe to repeat.</summary>
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

        if (files.FirstOrDefault(f => f.Name == RunnerFiles.Service) is { } saved)
        {
            var bytes = ReadVerified(fileSystem.Path.Combine(journal.BackupPath(runner), RunnerFiles.Service), saved);
            AtomicFile.Write(fileSystem, service, bytes, (UnixFileMode)saved.Mode, saved.LastWriteTimeUtc);
        }
    }

    /// <summary>Whether the runner directory holds a complete registration other than the backed-up one.</summary>
    public bool HasNewRegistration(RunnerContext runner, IReadOnlyList<BackedUpFile> files)
    {
        foreach (var name in new[] { RunnerFiles.Runner, RunnerFiles.Credentials, RunnerFiles.RsaParams })
        {
            if (!fileSystem.File.Exists(fileSystem.Path.Combine(runner.Directory, name)))
            {
                return false;
            }
        }

        // config.sh writes .runner last; a readable one with a name means it finished.
        var registration = RunnerRegistration.Read(fileSystem, runner.Directory);
        if (registration.AgentName is null)
        {
            return false;
        }

        var runnerFile = fileSystem.File.ReadAllBytes(fileSystem.Path.Combine(runner.Directory, RunnerFiles.Runner));
        return files.FirstOrDefault(f => f.Name == RunnerFiles.Runner) is not { } old || old.Sha256 != Hash(runnerFile);
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

    private void SetModeAndTime(string path, BackedUpFile saved)
    {
        if (!OperatingSystem.IsWindows())
        {
            fileSystem.File.SetUnixFileMode(path, (UnixFileMode)saved.Mode);
        }

        fileSystem.File.SetLastWriteTimeUtc(path, saved.LastWriteTimeUtc);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
