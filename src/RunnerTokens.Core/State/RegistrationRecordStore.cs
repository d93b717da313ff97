using System.IO.Abstractions;
using System.Text.Json;

namespace RunnerTokens.State;

/// <summary>Reads and writes the registration record in a runner's state folder, atomically and for the owner only.</summary>
internal sealed class RegistrationRecordStore(IFileSystem fileSystem)
{
    public const string FileName = "registration.json";

    public string PathFor(string stateDirectory) => fileSystem.Path.Combine(stateDirectory, FileName);

    /// <summary>Reads the record in <paramref name="stateDirectory"/>; null when there is none or it cannot be used (<paramref name="problem"/> says why).</summary>
    public RegistrationRecord? Read(string stateDirectory, out string? problem)
    {
        var path = PathFor(stateDirectory);
        problem = null;
        if (!fileSystem.File.Exists(path))
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize(UnixFileStatus.ReadAllBytes(fileSystem, path), StateJsonContext.Default.RegistrationRecord)
                ?? throw new JsonException("the file holds null");
            if (record.Version != RegistrationRecord.CurrentVersion)
            {
                problem = $"registration record {path} has version {record.Version}; this version knows {RegistrationRecord.CurrentVersion}";
                return null;
            }

            return record;
        }
        catch (JsonException ex)
        {
            problem = $"registration record {path} is corrupt: {ex.Message}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"registration record {path} cannot be read: {ex.Message}";
        }

        return null;
    }

    /// <summary>Writes the record unless <paramref name="held"/> (the file as the caller just read it) holds the same facts; returns whether it wrote.</summary>
    public bool Write(string stateDirectory, RegistrationRecord record, RegistrationRecord? held)
    {
        if (held is not null && held.SameFacts(record))
        {
            return false;
        }

        AtomicFile.CreateOwnerOnlyDirectory(fileSystem, stateDirectory);
        AtomicFile.Write(fileSystem, PathFor(stateDirectory), JsonSerializer.SerializeToUtf8Bytes(record, StateJsonContext.Default.RegistrationRecord), AtomicFile.OwnerOnly);
        return true;
    }

    /// <summary>
    /// Finds the record of the runner in <paramref name="runnerDirectory"/> among the subfolders of a shared state
    /// folder (each runner's folder is named after the runner, which is what is being looked for).
    /// </summary>
    public RegistrationRecord? FindInSharedFolder(string sharedStateDirectory, string runnerDirectory)
    {
        if (!fileSystem.Directory.Exists(sharedStateDirectory))
        {
            return null;
        }

        foreach (var folder in fileSystem.Directory.EnumerateDirectories(sharedStateDirectory))
        {
            if (Read(folder, out _) is { } record && string.Equals(record.Directory, runnerDirectory, StringComparison.Ordinal))
            {
                return record;
            }
        }

        return null;
    }
}
