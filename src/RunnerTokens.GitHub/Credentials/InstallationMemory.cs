using System.Collections.Concurrent;
using System.IO.Abstractions;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// Which installation of the GitHub App serves which owner, in memory and in <see cref="FileName"/> in the state folder
/// (mode 600; ids, no secret), so a timer or cron run does not ask <c>GET /orgs/{org}/installation</c> again each time.
/// An id that stops working (the App was reinstalled or removed) is forgotten and looked up again by the caller.
/// </summary>
internal sealed class InstallationMemory(GitHubStateFolder stateFolder, IFileSystem fileSystem, ILogger<InstallationMemory> logger)
{
    /// <summary>The file's name in the state folder.</summary>
    public const string FileName = "github-installations.json";

    // Far more than a few Apps' owners; a larger file is not ours, and is not read.
    private const int MaxFileBytes = 64 * 1024;

    private readonly ConcurrentDictionary<string, long> _installations = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _fileGate = new();
    private int _warned;

    public long? Find(string key)
    {
        if (_installations.TryGetValue(key, out var known))
        {
            return known;
        }

        if (ReadFile().TryGetValue(key, out var saved))
        {
            _installations[key] = saved;
            return saved;
        }

        return null;
    }

    public void Remember(string key, long installation)
    {
        _installations[key] = installation;
        Update(file => file[key] = installation);
    }

    public void Forget(string key)
    {
        _installations.TryRemove(key, out _);
        Update(file => file.Remove(key));
    }

    private void Update(Action<Dictionary<string, long>> change)
    {
        if (stateFolder.PathOf(FileName) is not { } path)
        {
            return;
        }

        lock (_fileGate)
        {
            try
            {
                var file = ReadFile();
                change(file);
                StateFile.Write(fileSystem, path, new InstallationFile { Installations = file }, InstallationFileJsonContext.Default.InstallationFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (Interlocked.Exchange(ref _warned, 1) == 0)
                {
                    Log.InstallationNotSaved(logger, path, ex.Message);
                }
            }
        }
    }

    // An unreadable file remembers nothing; the next lookup rewrites it.
    private Dictionary<string, long> ReadFile() =>
        stateFolder.PathOf(FileName) is { } path
            && StateFile.TryRead(fileSystem, path, MaxFileBytes, InstallationFileJsonContext.Default.InstallationFile) is { Version: InstallationFile.CurrentVersion, Installations: { } saved }
            ? new Dictionary<string, long>(saved.Where(e => e.Key.Length > 0 && e.Value > 0), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The shared file's content: the installation id per App, API root and owner.</summary>
internal sealed class InstallationFile
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public Dictionary<string, long>? Installations { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(InstallationFile))]
internal sealed partial class InstallationFileJsonContext : JsonSerializerContext;
