using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RunnerTokens.Host.Logging;
using RunnerTokens.TestKit;
using Serilog.Events;

namespace RunnerTokens.Host.Tests.Logging;

public sealed class HostLoggingTests : IDisposable
{
    private const UnixFileMode OwnerReadWriteGroupRead = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private static readonly Func<ILogger, string, IDisposable?> RunnerScope = LoggerMessage.DefineScope<string>("Runner {Runner}");

    private static readonly Action<ILogger, string, Exception?> Refreshed =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(103), "refreshed; new registration token expires at {ExpiresAt}");

    private static readonly Action<ILogger, string, string, Exception?> RefreshFailed =
        LoggerMessage.Define<string, string>(LogLevel.Error, new EventId(105), "Runner {Runner}: refresh failed: {Error}");

    private readonly TempDirectory _temp = new("host-logging");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(null, true, null)]
    [InlineData(null, false, LogFile.DefaultPath)]
    [InlineData("", false, LogFile.DefaultPath)]
    [InlineData("/dev/null", false, null)]
    [InlineData("/srv/logs/refresh.log", true, "/srv/logs/refresh.log")]
    public void Choose_JournalAndAsked_FileOnlyWhereItAddsSomething(string? asked, bool journal, string? expected) =>
        Assert.Equal(expected, LogFile.Choose(asked, journal));

    [Fact]
    public void AddOperatorLogging_UnderJournalWithoutLogFile_NoFileLogger()
    {
        using var error = new StringWriter();
        using var provider = Build(new HostLoggingSettings(LogLevel.Information, null), new Dictionary<string, string?> { ["JOURNAL_STREAM"] = "8:12345" }, error);

        Assert.DoesNotContain(provider.GetServices<ILoggerProvider>(), p => p is Serilog.Extensions.Logging.SerilogLoggerProvider);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public void AddOperatorLogging_LogFileGiven_OperatorLinesInAFileOthersCannotRead()
    {
        var path = _temp.Combine("logs", "refresh.log");
        using var error = new StringWriter();
        using (var provider = Build(new HostLoggingSettings(LogLevel.Information, path), new Dictionary<string, string?> { ["JOURNAL_STREAM"] = "8:12345" }, error))
        {
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("RunnerTokens.Refresh.RefreshEngine");
            using (RunnerScope(logger, "build-01"))
            {
                Refreshed(logger, "2026-11-26 16:04:05Z", null);
                RefreshFailed(logger, "build-01", "Connection refused", new HttpRequestException("Connection refused"));
            }
        }

        var lines = File.ReadAllLines(path);
        Assert.Empty(error.ToString());
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d info  build-01: refreshed; new registration token expires at 2026-11-26 16:04:05Z$", lines[0]);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d error build-01: refresh failed: Connection refused$", lines[1]);
        Assert.Equal(OwnerReadWriteGroupRead, File.GetUnixFileMode(path));
        Assert.False(File.GetUnixFileMode(_temp.Combine("logs")).HasFlag(UnixFileMode.OtherRead));
    }

    [Fact]
    public void Open_SizeLimitReached_RollsOverToANewFileOthersCannotRead()
    {
        var path = _temp.Combine("refresh.log");
        using var error = new StringWriter();

        using (var logger = LogFile.Open(path, asked: true, LogEventLevel.Information, verbose: false, error, fileSizeLimitBytes: 200))
        {
            Assert.NotNull(logger);
            for (var i = 0; i < 10; i++)
            {
                logger.Information("check {Check} of a runner whose lines fill the file quickly", i);
            }
        }

        var files = Directory.GetFiles(_temp.Path, "refresh*.log").Order(StringComparer.Ordinal).ToList();
        Assert.Contains(path, files);
        Assert.Contains(_temp.Combine("refresh_001.log"), files);
        Assert.All(files, file => Assert.Equal(OwnerReadWriteGroupRead, File.GetUnixFileMode(file)));
    }

    private static ServiceProvider Build(HostLoggingSettings settings, Dictionary<string, string?> environment, TextWriter error)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddOperatorLogging(settings, environment, error));
        return services.BuildServiceProvider();
    }
}
