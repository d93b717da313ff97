using System.IO.Abstractions;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Octokit.Caching;
using Octokit.Internal;

namespace RunnerTokens.GitHub.Tests.Api;

public sealed class ResponseCacheStoreTests
{
    [Fact]
    public async Task SetAsync_BeyondMaxEntries_DropsTheOldestAnswers()
    {
        var store = new ResponseCacheStore(() => null, new FileSystem(), TimeProvider.System, NullLogger.Instance);
        var cache = store.For("TokenFile:0123");

        for (var page = 1; page <= ResponseCacheStore.MaxEntries + 50; page++)
        {
            await cache.SetAsync(Page(page), Answer());
        }

        Assert.Equal(ResponseCacheStore.MaxEntries, store.Count);
        Assert.Null(await cache.GetAsync(Page(1)));
        Assert.NotNull(await cache.GetAsync(Page(ResponseCacheStore.MaxEntries + 50)));
    }

    private static Request Page(int page) => new()
    {
        BaseAddress = new Uri("https://api.github.com/"),
        Endpoint = new Uri($"orgs/acme/actions/runners?page={page}", UriKind.Relative),
    };

    private static CachedResponse.V1 Answer() =>
        new("{}", new Dictionary<string, string> { ["ETag"] = "W/\"1\"" }, null!, HttpStatusCode.OK, "application/json");
}
