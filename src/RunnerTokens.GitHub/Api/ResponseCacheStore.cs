using System.IO.Abstractions;
using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Octokit.Caching;
using Octokit.Internal;

namespace RunnerTokens.GitHub;

/// <summary>
/// The last answer (with its <c>ETag</c>) of each conditional GET, per credential, so Octokit's caching client asks again
/// with <c>If-None-Match</c> and a <c>304 Not Modified</c> (free against the rate limit) serves the stored answer. Kept in
/// memory and in <see cref="FileName"/> in the state folder (mode 600), so a timer or cron run, a new process each time,
/// asks conditionally too. The answers are runner lookups: names, ids, labels, status, never a secret; a credential is
/// named by its key (a truncated hash of a token, or the App and installation). A GitHub App's answers are kept per
/// installation, not per hourly token; the oldest answers go beyond <see cref="MaxEntries"/>.
/// </summary>
/// <remarks>
/// The file holds every runner's answer, so it is not written once per answer: a new answer is written at once when
/// the file was last written <see cref="SaveStep"/> ago or more (a timer or cron run's one answer, the first of a
/// start-up), else with the others at the end of the daemon's check (<see cref="Flush"/>, by
/// <see cref="ResponseCacheFlush"/>) or when the process ends (<see cref="Dispose"/>). A daemon of 1,000 runners
/// starts by asking about each: one write per answer read, merged and wrote the whole file a thousand times. An answer
/// lost in a crash costs one unconditional request.
/// </remarks>
internal sealed class ResponseCacheStore : IDisposable
{
    /// <summary>The file's name in the state folder.</summary>
    public const string FileName = "github-responses.json";

    /// <summary>Far more than the runners one host serves (one lookup each).</summary>
    public const int MaxEntries = 1000;

    /// <summary>How long after a write of the file a new answer waits for the end of the check to be written.</summary>
    public static readonly TimeSpan SaveStep = TimeSpan.FromSeconds(30);

    // About MaxEntries answers of a few KiB; a larger file is not ours, and is not read.
    private const int MaxFileBytes = 8 * 1024 * 1024;

    private readonly Dictionary<string, StoredResponse> _responses = new(StringComparer.Ordinal);

    // The answers this process has not written to the file yet, and when it last wrote (or tried to).
    private readonly HashSet<string> _unsaved = new(StringComparer.Ordinal);
    private DateTimeOffset? _savedAt;
    private readonly Lock _gate = new();
    private readonly Lazy<string?> _filePath;
    private readonly IFileSystem _fileSystem;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private bool _loaded;
    private int _warned;

    public ResponseCacheStore(GitHubStateFolder stateFolder, IFileSystem fileSystem, TimeProvider timeProvider, ILogger<ResponseCacheStore> logger)
        : this(() => stateFolder.PathOf(FileName), fileSystem, timeProvider, logger)
    {
    }

    internal ResponseCacheStore(Func<string?> filePath, IFileSystem fileSystem, TimeProvider timeProvider, ILogger logger)
    {
        _filePath = new(filePath);
        _fileSystem = fileSystem;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Gets the shared file, or <see langword="null"/> when no state folder is known (memory only).</summary>
    public string? FilePath => _filePath.Value;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                EnsureLoaded();
                return _responses.Count;
            }
        }
    }

    /// <summary>The cache as one credential sees it: answers may differ by who asks.</summary>
    public IResponseCache For(string credentialKey) => new View(this, credentialKey + "|");

    private CachedResponse.V1? Get(string key)
    {
        lock (_gate)
        {
            EnsureLoaded();
            return _responses.TryGetValue(key, out var stored)
                ? new CachedResponse.V1(stored.Body, new Dictionary<string, string> { ["ETag"] = stored.ETag }, null!, HttpStatusCode.OK, stored.ContentType)
                : null;
        }
    }

    private void Set(string key, CachedResponse.V1 response)
    {
        // Only what can be asked again conditionally: a JSON text with its ETag.
        var etag = response.Headers.FirstOrDefault(h => string.Equals(h.Key, "ETag", StringComparison.OrdinalIgnoreCase)).Value;
        if (response.Body is not string body || string.IsNullOrEmpty(etag))
        {
            return;
        }

        var now = _timeProvider.GetUtcNow();
        var stored = new StoredResponse { Key = key, ETag = etag, Body = body, ContentType = response.ContentType, StoredAt = now };
        lock (_gate)
        {
            EnsureLoaded();
            _responses[key] = stored;
            Evict(_responses);
            _unsaved.Add(key);
            if (_savedAt is not { } saved || now - saved >= SaveStep || now < saved)
            {
                Save(now);
            }
        }
    }

    /// <summary>Writes the answers not written yet, if any (at the end of a check).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_unsaved.Count > 0)
            {
                Save(_timeProvider.GetUtcNow());
            }
        }
    }

    /// <summary>Writes the answers not written yet: the process is ending.</summary>
    public void Dispose() => Flush();

    private void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }

        _loaded = true;
        foreach (var stored in ReadFile())
        {
            _responses.TryAdd(stored.Key, stored);
        }

        Evict(_responses);
    }

    /// <summary>Read, merge, write: another run may have stored its own answers meanwhile; this one's new answers win.</summary>
    private void Save(DateTimeOffset now)
    {
        _savedAt = now;
        if (FilePath is not { } path)
        {
            _unsaved.Clear();
            return;
        }

        try
        {
            var merged = new Dictionary<string, StoredResponse>(StringComparer.Ordinal);
            foreach (var stored in ReadFile().Concat(_responses.Values))
            {
                if (!merged.TryGetValue(stored.Key, out var held) || held.StoredAt <= stored.StoredAt)
                {
                    merged[stored.Key] = stored;
                }
            }

            foreach (var key in _unsaved)
            {
                if (_responses.TryGetValue(key, out var newer))
                {
                    merged[key] = newer;
                }
            }

            Evict(merged);
            var file = new ResponseFile { Responses = [.. merged.Values.OrderBy(r => r.Key, StringComparer.Ordinal)] };
            StateFile.Write(_fileSystem, path, file, ResponseFileJsonContext.Default.ResponseFile);
            _unsaved.Clear();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Log.ResponsesNotSaved(_logger, path, ex.Message);
            }
        }
    }

    // An unreadable file stores nothing; the next answer rewrites it.
    private IEnumerable<StoredResponse> ReadFile() =>
        FilePath is { } path
            && StateFile.TryRead(_fileSystem, path, MaxFileBytes, ResponseFileJsonContext.Default.ResponseFile) is { Version: ResponseFile.CurrentVersion, Responses: { } responses }
            ? responses.Where(r => r is { Key.Length: > 0, ETag.Length: > 0 } && r.Body is not null)
            : [];

    private static void Evict(Dictionary<string, StoredResponse> responses)
    {
        if (responses.Count <= MaxEntries)
        {
            return;
        }

        foreach (var oldest in responses.Values.OrderBy(r => r.StoredAt).Take(responses.Count - MaxEntries).ToList())
        {
            responses.Remove(oldest.Key);
        }
    }

    private sealed class View(ResponseCacheStore store, string prefix) : IResponseCache
    {
        public Task<CachedResponse.V1> GetAsync(IRequest request) => Task.FromResult(store.Get(Key(request))!);

        public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
        {
            store.Set(Key(request), cachedResponse);
            return Task.CompletedTask;
        }

        private string Key(IRequest request) => prefix + new Uri(request.BaseAddress, request.Endpoint).AbsoluteUri;
    }
}

/// <summary>One stored answer.</summary>
internal sealed class StoredResponse
{
    public string Key { get; set; } = string.Empty;

    public string ETag { get; set; } = string.Empty;

    public string Body { get; set; } = string.Empty;

    public string? ContentType { get; set; }

    public DateTimeOffset StoredAt { get; set; }
}

/// <summary>The shared file's content.</summary>
internal sealed class ResponseFile
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public List<StoredResponse>? Responses { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ResponseFile))]
internal sealed partial class ResponseFileJsonContext : JsonSerializerContext;
