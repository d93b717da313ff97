using System.Collections.Concurrent;
using Octokit.Caching;
using Octokit.Internal;

namespace RunnerTokens.GitHub;

/// <summary>
/// The last answer (with its <c>ETag</c>) of each GET, per credential, so Octokit's caching client asks again with
/// <c>If-None-Match</c> and a <c>304 Not Modified</c> (free against the rate limit) serves the stored answer. A GitHub
/// App's answers are kept per installation, not per hourly token; the oldest answers go beyond <see cref="MaxEntries"/>.
/// </summary>
internal sealed class ResponseCacheStore
{
    /// <summary>Far more than the pages of the scopes one host serves (100 runners a page).</summary>
    public const int MaxEntries = 1000;

    private readonly ConcurrentDictionary<string, CachedResponse.V1> _responses = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _added = new();

    public int Count => _responses.Count;

    /// <summary>The cache as one credential sees it: answers may differ by who asks.</summary>
    public IResponseCache For(string credentialKey) => new View(this, credentialKey + "|");

    private void Set(string key, CachedResponse.V1 response)
    {
        if (_responses.TryAdd(key, response))
        {
            _added.Enqueue(key);
            while (_responses.Count > MaxEntries && _added.TryDequeue(out var oldest))
            {
                _responses.TryRemove(oldest, out _);
            }

            return;
        }

        _responses[key] = response;
    }

    private sealed class View(ResponseCacheStore store, string prefix) : IResponseCache
    {
        public Task<CachedResponse.V1> GetAsync(IRequest request) =>
            Task.FromResult(store._responses.TryGetValue(Key(request), out var response) ? response : null!);

        public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
        {
            store.Set(Key(request), cachedResponse);
            return Task.CompletedTask;
        }

        private string Key(IRequest request) => prefix + new Uri(request.BaseAddress, request.Endpoint).AbsoluteUri;
    }
}
