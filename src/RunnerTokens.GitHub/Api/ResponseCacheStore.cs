using System.Collections.Concurrent;
using Octokit.Caching;
using Octokit.Internal;

namespace RunnerTokens.GitHub;

/// <summary>
/// The last answer (with its <c>ETag</c>) of each GET, per credential, so Octokit's caching client asks again with
/// <c>If-None-Match</c> and a <c>304 Not Modified</c> (free against the rate limit) serves the stored answer.
/// </summary>
internal sealed class ResponseCacheStore
{
    private readonly ConcurrentDictionary<string, CachedResponse.V1> _responses = new(StringComparer.Ordinal);

    public int Count => _responses.Count;

    /// <summary>The cache as one credential sees it: answers may differ by who asks.</summary>
    public IResponseCache For(string credentialKey) => new View(this, credentialKey + "|");

    private sealed class View(ResponseCacheStore store, string prefix) : IResponseCache
    {
        public Task<CachedResponse.V1> GetAsync(IRequest request) =>
            Task.FromResult(store._responses.TryGetValue(Key(request), out var response) ? response : null!);

        public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
        {
            store._responses[Key(request)] = cachedResponse;
            return Task.CompletedTask;
        }

        private string Key(IRequest request) => prefix + new Uri(request.BaseAddress, request.Endpoint).AbsoluteUri;
    }
}
