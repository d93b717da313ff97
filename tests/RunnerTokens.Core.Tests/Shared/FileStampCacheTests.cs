using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using RunnerTokens.Shared;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.Shared;

/// <summary>A value kept from files is given again only while every one of them is the version it was made from.</summary>
public sealed class FileStampCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new("stamps");
    private readonly FileSystem _fileSystem = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task TryGet_SettledFileRewrittenToTheSameSizeAndTime_Misses()
    {
        var path = _temp.Combine("file");
        File.WriteAllText(path, "one");
        var modified = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, modified);
        await Task.Delay(FileStamp.SettleTime + TimeSpan.FromMilliseconds(100));
        var sut = new FileStampCache<string>(_fileSystem);
        var stamps = sut.StampAll(path);
        sut.Set("key", stamps, "one");
        Assert.True(sut.TryGet("key", sut.StampAll(path), out var kept));
        Assert.Equal("one", kept);

        // The same size and the modification time put back: the change time still tells.
        File.WriteAllText(path, "two");
        File.SetLastWriteTimeUtc(path, modified);

        Assert.False(sut.TryGet("key", sut.StampAll(path), out _));
    }

    [Fact]
    public void Set_FileJustWritten_NotKept()
    {
        var path = _temp.Combine("file");
        File.WriteAllText(path, "one");
        var sut = new FileStampCache<string>(_fileSystem);
        var stamps = sut.StampAll(path);

        sut.Set("key", stamps, "one");

        // Written within the kernel's clock tick again, to the same size, it could keep its stamp: not trusted yet.
        Assert.False(sut.TryGet("key", sut.StampAll(path), out _));
    }

    [Fact]
    public void TryGet_MissingFile_KeptUntilItAppears()
    {
        var path = _temp.Combine("missing");
        var sut = new FileStampCache<string>(_fileSystem);
        sut.Set("key", sut.StampAll(path), "none");
        Assert.True(sut.TryGet("key", sut.StampAll(path), out _));

        File.WriteAllText(path, "now");

        Assert.False(sut.TryGet("key", sut.StampAll(path), out _));
    }

    [Fact]
    public void TryGet_TestDoubleFileSystem_NeverKeeps()
    {
        var sut = new FileStampCache<string>(new MockFileSystem());
        var stamps = sut.StampAll("/nowhere");

        sut.Set("key", stamps, "value");

        Assert.Empty(stamps);
        Assert.False(sut.TryGet("key", stamps, out _));
    }
}
