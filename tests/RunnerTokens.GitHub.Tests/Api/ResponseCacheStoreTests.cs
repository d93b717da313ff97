using System.IO.Abstractions;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Octokit.Caching;
using Octokit.Internal;
using RunnerTokens.TestKit;

namespace RunnerTokens.GitHub.Tests.Api;

public sealed class ResponseCacheStoreTests
{
    [Fact]
    public async Task SetAsync_BeyondMaxEntries_DropsTheOldestAnswers()
    {
        using var store = new ResponseCacheStore(() => null, new FileSystem(), TimeProvider.System, NullLogger.Instance);
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
        using var first = new ResponseCacheStore(() => path, new FileSystem(), TimeProvider.System, NullLogger.Instance);
        await first.For("TokenFile:0123").SetAsync(Page(1), Answer());

        using var second = new ResponseCacheStore(() => path, new FileSystem(), TimeProvider.System, NullLogger.Instance);
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
        using var store = new ResponseCacheStore(() => path, new FileSystem(), TimeProvider.System, NullLogger.Instance);

        Assert.Null(await store.For("TokenFile:0123").GetAsync(Page(1)));
        await store.For("TokenFile:0123").SetAsync(Page(1), Answer());

        Assert.NotNull(await ReadBackAsync(path, 1));
    }

    [Fact]
    public async Task SetAsync_AnswerWithoutETag_IsNotKept()
    {
        using var store = new ResponseCacheStore(() => null, new FileSystem(), TimeProvider.System, NullLogger.Instance);

        await store.For("TokenFile:0123").SetAsync(Page(1), new CachedResponse.V1("{}", new Dictionary<string, string>(), null!, HttpStatusCode.OK, "application/json"));

        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task SetAsync_SecondAnswerWithinTheSaveStep_IsWrittenByFlushNotAtOnce()
    {
        using var temp = new TempDirectory("responses");
        var path = temp.Combine(ResponseCacheStore.FileName);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        using var store = new ResponseCacheStore(() => path, new FileSystem(), time, NullLogger.Instance);
        var cache = store.For("TokenFile:0123");

        await cache.SetAsync(Page(1), Answer());
        time.Advance(ResponseCacheStore.SaveStep - TimeSpan.FromSeconds(1));
        await cache.SetAsync(Page(2), Answer());
        var beforeFlush = await ReadBackAsync(path, 2);
        store.Flush();

        Assert.NotNull(await ReadBackAsync(path, 1));
        Assert.Null(beforeFlush);
        Assert.NotNull(await ReadBackAsync(path, 2));
    }

    [Fact]
    public async Task SetAsync_SaveStepAfterTheLastWrite_IsWrittenAtOnce()
    {
        using var temp = new TempDirectory("responses");
        var path = temp.Combine(ResponseCacheStore.FileName);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        using var store = new ResponseCacheStore(() => path, new FileSystem(), time, NullLogger.Instance);
        var cache = store.For("TokenFile:0123");

        await cache.SetAsync(Page(1), Answer());
        time.Advance(ResponseCacheStore.SaveStep);
        await cache.SetAsync(Page(2), Answer());

        Assert.NotNull(await ReadBackAsync(path, 2));
    }

    [Fact]
    public async Task Dispose_AnotherProcessWroteMeanwhile_TheFileKeepsBothProcessesAnswers()
    {
        using var temp = new TempDirectory("responses");
        var path = temp.Combine(ResponseCacheStore.FileName);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        using (var first = new ResponseCacheStore(() => path, new FileSystem(), time, NullLogger.Instance))
        {
            await first.For("TokenFile:0123").SetAsync(Page(1), Answer());
            await first.For("TokenFile:0123").SetAsync(Page(2), Answer());
            using var second = new ResponseCacheStore(() => path, new FileSystem(), time, NullLogger.Instance);
            await second.For("TokenFile:0123").SetAsync(Page(3), Answer());
        }

        Assert.NotNull(await ReadBackAsync(path, 1));
        Assert.NotNull(await ReadBackAsync(path, 2));
        Assert.NotNull(await ReadBackAsync(path, 3));
    }

    /// <summary>What another process finds in the file for a page.</summary>
    private static async Task<CachedResponse.V1?> ReadBackAsync(string path, int page)
    {
        using var reader = new ResponseCacheStore(() => path, new FileSystem(), TimeProvider.System, NullLogger.Instance);
        return await reader.For("TokenFile:0123").GetAsync(Page(page));
    }

    private static Request Page(int page) => new()
    {
        BaseAddress = new Uri("https://api.github.com/"),
        Endpoint = new Uri($"orgs/acme/actions/runners?page={page}", UriKind.Relative),
    };

    private static CachedResponse.V1 Answer() =>
        new("{}", new Dictionary<string, string> { ["ETag"] = "W/\"1\"" }, null!, HttpStatusCode.OK, "application/json");
}
