using System.IO.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using RunnerTokens.Refresh;
using RunnerTokens.State;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.Refresh;

public sealed class RegistrationResolverTests : IDisposable
{
    private readonly TempDirectory _temp = new("resolver");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<RegistrationResolver> _logger = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RememberAsync_FortyRunnersWithoutARecord_Lists30AMinuteAndWritesTheOthersFromTheirRunnerFileMeanwhile()
    {
        // arrange: a new daemon's first check of 40 runners, each registered (.runner), none with a record yet
        var source = Substitute.For<IRunnerRegistrationSource>();
        source.FindAsync(default!, default, default).ReturnsForAnyArgs(call => new RegisteredRunner(7, call.Arg<RunnerContext>().Name) { CustomLabels = ["gpu"] });
        var records = new RegistrationRecordStore(new FileSystem());
        var resolver = new RegistrationResolver(new FileSystem(), records, [source], _time, _logger);
        var runners = Enumerable.Range(0, 40).Select(Runner).ToList();

        // act: two checks a minute apart
        foreach (var runner in runners)
        {
            await resolver.RememberAsync(runner, CancellationToken.None);
        }

        var firstCheck = source.ReceivedCalls().Count();
        var afterFirstCheck = runners.Select(r => records.Read(r.StateDirectory, out _)).ToList();
        _time.Advance(TimeSpan.FromMinutes(1));
        foreach (var runner in runners)
        {
            await resolver.RememberAsync(runner, CancellationToken.None);
        }

        // assert: 30 listed at the first check and the other 10 at the second; every record written at the first, from
        // .runner (its id), the labels of the 10 only after their listing
        Assert.Equal(30, firstCheck);
        Assert.All(afterFirstCheck, record => Assert.Equal(7, record?.Id));
        Assert.Equal(10, afterFirstCheck.Count(record => record?.ListedAt is null));
        Assert.Equal(40, source.ReceivedCalls().Count());
        Assert.All(runners, r => Assert.Equal(["gpu"], records.Read(r.StateDirectory, out _)?.Labels));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 119);
    }

    private RunnerContext Runner(int i)
    {
        var directory = _temp.Combine($"runner-{i}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ".runner"), RunnerDirectory.RunnerJson.Replace("NAME", $"r{i}", StringComparison.Ordinal));
        return new RunnerContext($"r{i}", directory, "https://github.com/acme", _temp.Combine($"state-{i}"));
    }
}
