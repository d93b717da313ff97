using System.IO.Abstractions;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Octokit.Caching;
using Octokit.Internal;
using RunnerTokens.TestKit;

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

    [Fact]
    public async Task GetAsync_AnotherProcess_ServesTheAnswerTheFirstStoredWithItsETag()
    {
        using var temp = new TempDirectory("responses");
        var path = temp.Combine("state", ResponseCacheStore.FileName);
        var first = new ResponseCacheStore(() => path, new FileSystem(), TimeProvider.System, NullLogger.Instance);
        await first.For("TokenFile:0123").SetAsync(Page(1), Answer());

        var second = new ResponseCacheStore(() => path, new FileSystem(), TimeProvider.System, NullLogger.Instance);
        var served = await second.For("TokenFile:0123").GetAsync(Page(1));
        var otherCredential = await second.For("TokenFile:4567").GetAsync(Page(1));

        Assert.Equal("{}", served.Body);
        Assert.Equal("W/\"1\"", served.Headers["ETag"]);
        Assert.Null(otherCredential);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task GetAsync_CorruptFile_ServesNothingAndTheNextAnswerRewritesIt()
    {
        using var temp = new TempDirectory("responses");
        var path = temp.Combine(ResponseCacheStore.FileName);
        File.WriteAllText(path, "{ not json");
        var store = new ResponseCacheStore(() => path, new FileSystem(), TimeProvider.System, NullLogger.Instance);

        Assert.Null(await store.For("TokenFile:0123").GetAsync(Page(1)));
        await store.For("TokenFile:0123").SetAsync(Page(1), Answer());

        Assert.NotNull(await new ResponseCacheStore(() => path, new FileSystem(), TimeProvider.System, NullLogger.Instance).For("TokenFile:0123").GetAsync(Page(1)));
    }

    [Fact]
    public async Task SetAsync_AnswerWithoutETag_IsNotKept()
    {
        var store = new ResponseCacheStore(() => null, new FileSystem(), TimeProvider.System, NullLogger.Instance);

        await store.For("TokenFile:0123").SetAsync(Page(1), new CachedResponse.V1("{}", new Dictionary<string, string>(), null!, HttpStatusCode.OK, "application/json"));

        Assert.Equal(0, store.Count);
    }

    private static Request Page(int page) => new()
    {
        BaseAddress = new Uri("https://api.github.com/"),
        Endpoint = new Uri($"orgs/acme/actions/runners?page={page}", UriKind.Relative),
    };

    private static CachedResponse.V1 Answer() =>
        new("{}", new Dictionary<string, string> { ["ETag"] = "W/\"1\"" }, null!, HttpStatusCode.OK, "application/json");
}
