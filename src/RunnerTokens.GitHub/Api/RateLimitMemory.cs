using System.Collections.Concurrent;
using System.IO.Abstractions;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// The rate limits GitHub announced (until <c>x-ratelimit-reset</c>, or <c>Retry-After</c> for a secondary limit), per
/// API root and credential, so no call goes to GitHub for that credential before the time it named: GitHub warns that
/// an integration that keeps calling while limited may be banned. Kept in memory and in <see cref="FileName"/> in the
/// state folder, shared by the daemon and every timer or cron run of the same user. The file names a credential by a
/// truncated SHA-256 of its token, or by the App and installation: never a secret.
/// </summary>
internal sealed class RateLimitMemory(
    GitHubStateFolder stateFolder,
    IFileSystem fileSystem,
    TimeProvider timeProvider,
    ILogger<RateLimitMemory> logger)
{
    /// <summary>The file's name in the state folder.</summary>
    public const string FileName = "github-rate-limits.json";

    /// <summary>A secondary limit holds for every endpoint, whatever its bucket.</summary>
    public const string AnyResource = "*";

    // Far more than a few credentials' worth; a larger file is not ours, and is not read.
    private const int MaxFileBytes = 256 * 1024;

    private readonly ConcurrentDictionary<(string Key, string Resource), RateLimitEntry> _entries = new();
    private readonly Lock _fileGate = new();
    private int _warned;

    /// <summary>Gets the shared file, or <see langword="null"/> when no state folder is known (memory only).</summary>
    public string? FilePath => stateFolder.PathOf(FileName);

    /// <summary>The latest limit still running for <paramref name="key"/> that holds for <paramref name="resource"/>, in memory or in the file.</summary>
    public RateLimitEntry? Find(string key, string resource)
    {
        var now = timeProvider.GetUtcNow();
        RateLimitEntry? found = null;
        foreach (var entry in _entries.Values.Concat(ReadFile()))
        {
            if (entry.Until > now
                && string.Equals(entry.Key, key, StringComparison.Ordinal)
                && (entry.Resource == AnyResource || string.Equals(entry.Resource, resource, StringComparison.OrdinalIgnoreCase))
                && (found is null || entry.Until > found.Until))
            {
                found = entry;
            }
        }

        return found;
    }

    /// <summary>Remembers a limit in memory and in the shared file (written atomically, mode 600).</summary>
    public void Remember(RateLimitEntry entry)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (id, held) in _entries)
        {
            if (held.Until <= now)
            {
                _entries.TryRemove(id, out _);
            }
        }

        _entries.AddOrUpdate((entry.Key, entry.Resource), entry, (_, held) => held.Until >= entry.Until ? held : entry);
        if (FilePath is not { } path)
        {
            return;
        }

        lock (_fileGate)
        {
            try
            {
                // Read, merge, write: another process may have added its own limits meanwhile. Two writing at the same
                // instant can lose one entry, which costs one more refused call, no more.
                var limits = ReadFile()
                    .Where(e => e.Until > now && !(e.Key == entry.Key && e.Resource == entry.Resource && e.Until <= entry.Until))
                    .Append(entry)
                    .ToList();
                StateFile.Write(fileSystem, path, new RateLimitFile { Limits = limits }, RateLimitFileJsonContext.Default.RateLimitFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (Interlocked.Exchange(ref _warned, 1) == 0)
                {
                    Log.RateLimitNotSaved(logger, path, ex.Message);
                }
            }
        }
    }

    // An unreadable file remembers nothing; the next limit GitHub announces rewrites it.
    private IEnumerable<RateLimitEntry> ReadFile() =>
        FilePath is { } path && StateFile.TryRead(fileSystem, path, MaxFileBytes, RateLimitFileJsonContext.Default.RateLimitFile) is { Limits: { } limits }
            ? limits.Where(e => e is { Key.Length: > 0, Resource.Length: > 0 })
            : [];
}

/// <summary>One limit: until when GitHub refuses calls with a credential (<see cref="Key"/>, no secret) to a bucket.</summary>
internal sealed record RateLimitEntry(string Key, string Resource, DateTimeOffset Until, bool Secondary);

/// <summary>The shared file's content.</summary>
internal sealed class RateLimitFile
{
    public int Version { get; set; } = 1;

    public List<RateLimitEntry>? Limits { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RateLimitFile))]
internal sealed partial class RateLimitFileJsonContext : JsonSerializerContext;
