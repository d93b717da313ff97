using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CliWrap.Buffered;
using RunnerTokens.TestKit.Telemetry;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// The command with the standard OpenTelemetry variables, run as a process against the fake GitHub API, the fake runner
/// machine and a fake OTLP/HTTP collector on 127.0.0.1.
/// </summary>
public sealed class OtlpEndToEndTests
{
    /// <summary>Generous: the export at exit waits at most 3 s; a check alone takes about a second.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CheckAndRefresh_CollectorNamed_ReceivesTheRefreshSpanWithItsStepsAndTheCounts()
    {
        // arrange
        await using var e2e = await EndToEnd.StartAsync();
        await using var collector = FakeOtlpCollector.Start();

        // act
        var result = await RunAsync(e2e, collector.Endpoint, "--check-and-refresh");

        // assert: every request accepted by a strict OTLP/HTTP receiver (the spans may come in more than one batch)
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.All(collector.Requests, r => Assert.Equal((200, "application/x-protobuf"), (r.Status, r.ContentType)));
        Assert.Equal(["/v1/metrics", "/v1/traces"], collector.Requests.Select(r => r.Path).Distinct().Order(StringComparer.Ordinal));

        var refresh = Assert.Single(collector.Spans, s => s.Name == RunnerTokenRefreshTelemetry.RefreshActivity);
        Assert.Equal(RunnerTokenRefreshTelemetry.ActivitySourceName, refresh.Scope);
        Assert.Equal("runner-1", refresh.Attributes[RunnerTokenRefreshTelemetry.RunnerNameTag]);
        Assert.Equal("Refreshed", refresh.Attributes[RunnerTokenRefreshTelemetry.OutcomeTag]);
        Assert.Equal("runner-token-refresh", refresh.Resource["service.name"]);
        var steps = collector.Spans.Where(s => s.Name == RunnerTokenRefreshTelemetry.StepActivity).ToList();
        Assert.Contains(steps, s => s.Attributes[RunnerTokenRefreshTelemetry.StepTag] == "configure");
        Assert.All(steps, s => Assert.Equal((refresh.TraceId, refresh.SpanId), (s.TraceId, s.ParentSpanId)));

        // The one-shot's counts as deltas (temporality 1): this run's one check and one refresh.
        var checks = Assert.Single(collector.Points, p => p.Metric == RunnerTokenRefreshTelemetry.ChecksInstrument);
        Assert.Equal((RunnerTokenRefreshTelemetry.MeterName, "sum", 1, true, 1.0), (checks.Scope, checks.Kind, checks.Temporality, checks.Monotonic, checks.Value));
        Assert.Equal("runner-1", checks.Attributes[RunnerTokenRefreshTelemetry.RunnerNameTag]);
        Assert.Equal(1.0, Assert.Single(collector.Points, p => p.Metric == RunnerTokenRefreshTelemetry.RefreshesInstrument).Value);

        AssertNoToken(e2e, collector);
    }

    [Fact]
    public async Task CheckAndRefresh_ConfigureFailsPrintingTheToken_SpansInErrorWithoutTheToken()
    {
        // arrange: config.sh prints the token it got, then fails; the step's error (its output) becomes a span status
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Runner.ConfigSh.EchoToken();
        e2e.Machine.Runner.ConfigSh.Fail("configure", "Http response code: Forbidden");
        await using var collector = FakeOtlpCollector.Start();

        // act
        var result = await RunAsync(e2e, collector.Endpoint, "--check-and-refresh", ("OTEL_SERVICE_NAME", "build-host-refresher"));

        // assert
        Assert.Equal(1, result.ExitCode);
        var configure = collector.Spans.Where(s => s.Name == RunnerTokenRefreshTelemetry.StepActivity && s.Attributes[RunnerTokenRefreshTelemetry.StepTag] == "configure").ToList();
        Assert.NotEmpty(configure);
        Assert.All(configure, s => Assert.Equal(2, s.StatusCode)); // STATUS_CODE_ERROR
        Assert.All(configure, s => Assert.Contains("Forbidden", s.StatusMessage, StringComparison.Ordinal));
        var refresh = Assert.Single(collector.Spans, s => s.Name == RunnerTokenRefreshTelemetry.RefreshActivity);
        Assert.Equal((2, "Failed"), (refresh.StatusCode, refresh.Attributes[RunnerTokenRefreshTelemetry.OutcomeTag]));
        Assert.Equal("build-host-refresher", refresh.Resource["service.name"]);
        Assert.Equal(1.0, Assert.Single(collector.Points, p => p.Metric == RunnerTokenRefreshTelemetry.FailuresInstrument).Value);

        // The fake printed it: the test would see a token that got through.
        Assert.NotEmpty(e2e.Api.IssuedTokens);
        AssertNoToken(e2e, collector);
    }

    [Fact]
    public async Task CheckAndRefresh_NoEndpoint_SendsNothingAndRefreshes()
    {
        // arrange: a collector where the SDK would send by default (http/protobuf: localhost:4318), if the port is free
        await using var e2e = await EndToEnd.StartAsync();
        await using var collector = StartOnDefaultPortOrAny();

        // act
        var result = await HostProcess.RunAsync(
            e2e.Arguments("--check-and-refresh"),
            new Dictionary<string, string?>(e2e.Environment) { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" });

        // assert
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure");
        Assert.Empty(collector.Requests);
        Assert.DoesNotContain("OpenTelemetry", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAndRefresh_TracesEndpointOnly_SendsTheSpansThereAndNoMetrics()
    {
        // arrange: the signal's own variable, a full URL used as given (here a path of the collector's that no SDK adds)
        await using var e2e = await EndToEnd.StartAsync();
        await using var collector = FakeOtlpCollector.Start();
        var environment = new Dictionary<string, string?>(e2e.Environment)
        {
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = new Uri(collector.Endpoint, "/v1/traces").ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };

        // act
        var result = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh"), environment);

        // assert
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.All(collector.Requests, r => Assert.Equal(("/v1/traces", 200), (r.Path, r.Status)));
        Assert.Single(collector.Spans, s => s.Name == RunnerTokenRefreshTelemetry.RefreshActivity);
    }

    [Theory]
    [InlineData(false)] // nothing listens: the connection is refused, at once (the SDK drops the batch without a word)
    [InlineData(true)] // a collector that reads and never answers: given up after 3 s, with a warning
    public async Task CheckAndRefresh_CollectorDownOrHanging_RefreshesAndExits0WithinTheBound(bool hanging)
    {
        // arrange
        await using var e2e = await EndToEnd.StartAsync();
        await using var collector = hanging ? FakeOtlpCollector.Start(hang: true) : null;
        var endpoint = collector?.Endpoint ?? new Uri($"http://127.0.0.1:{ClosedPort()}");

        // act
        var watch = Stopwatch.StartNew();
        var result = await RunAsync(e2e, endpoint, "--check-and-refresh");
        watch.Stop();

        // assert: the check is done and reported as done; the export is given up
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Equal(1, e2e.Metrics().GetProperty("total_refreshes").GetInt64());
        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
        var warned = (result.StandardOutput + result.StandardError).Contains("OpenTelemetry: the last OTLP export was not accepted within 3 s", StringComparison.Ordinal);
        Assert.Equal(hanging, warned);
        if (collector is not null)
        {
            Assert.Contains(collector.Requests, r => r.Path == "/v1/traces");
        }
    }

    [Fact]
    public async Task Daemon_CollectorNamed_RunsTheExportOnlyThenAndSendsTheChecksAtStop()
    {
        // arrange
        await using var e2e = await EndToEnd.StartAsync();
        await using var collector = FakeOtlpCollector.Start();

        // act: a daemon without the variable, then one with it; each refreshes once and is stopped
        var without = await RunDaemonAsync(e2e, null);
        var with = await RunDaemonAsync(e2e, collector.Endpoint);

        // assert: no OpenTelemetry thread (nor, as a .NET process, its assembly) unless a collector is named
        Assert.DoesNotContain(without.Threads, t => t.StartsWith("OpenTelemetry", StringComparison.Ordinal));
        Assert.Contains(with.Threads, t => t.StartsWith("OpenTelemetry", StringComparison.Ordinal));
        if (HostProcess.NativeBinary is null)
        {
            Assert.DoesNotContain("OpenTelemetry", without.Mapped, StringComparison.Ordinal);
            Assert.Contains("OpenTelemetry", with.Mapped, StringComparison.Ordinal);
        }

        Assert.Equal(0, without.ExitCode);
        Assert.Equal(0, with.ExitCode);
        Assert.Contains(collector.Spans, s => s.Name == RunnerTokenRefreshTelemetry.RefreshActivity);

        // The daemon keeps the SDK's cumulative counts (temporality 2) over its life: its one check.
        var checks = Assert.Single(collector.Points, p => p.Metric == RunnerTokenRefreshTelemetry.ChecksInstrument);
        Assert.Equal((2, 1.0), (checks.Temporality, checks.Value));
        AssertNoToken(e2e, collector);
    }

    private static Task<BufferedCommandResult> RunAsync(EndToEnd e2e, Uri endpoint, string mode, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?>(e2e.Environment)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return HostProcess.RunAsync(e2e.Arguments(mode), environment);
    }

    /// <summary>Starts the daemon, waits for its first refresh, reads its threads' names and mapped files, and stops it.</summary>
    private static async Task<(int ExitCode, IReadOnlyList<string> Threads, string Mapped)> RunDaemonAsync(EndToEnd e2e, Uri? endpoint)
    {
        // A new refresh each time: the cached expiry of the previous one is forgotten.
        if (File.Exists(e2e.StateFile))
        {
            File.Delete(e2e.StateFile);
        }

        var environment = new Dictionary<string, string?>(e2e.Environment);
        if (endpoint is not null)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.ToString();
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        }

        await using var daemon = RunningProcess.Start(HostProcess.Command(e2e.Arguments("--daemon", "--interval", "3600"), environment));
        await daemon.WaitForOutputAsync("runner-1: refreshed; new registration token expires at");
        var pid = daemon.ProcessId;
        var threads = Directory.GetDirectories($"/proc/{pid}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim()).ToList();
        var mapped = await File.ReadAllTextAsync($"/proc/{pid}/maps");
        await daemon.SignalAsync("TERM");
        return (await daemon.WaitForExitAsync(Bound), threads, mapped);
    }

    private static void AssertNoToken(EndToEnd e2e, FakeOtlpCollector collector)
    {
        var bodies = collector.Requests.Select(r => Encoding.Latin1.GetString(r.Body)).ToList();
        Assert.NotEmpty(bodies);
        foreach (var token in e2e.Api.IssuedTokens.Select(t => t.Token).Append(EndToEnd.Token))
        {
            Assert.All(bodies, body => Assert.DoesNotContain(token, body, StringComparison.Ordinal));
        }
    }

    private static FakeOtlpCollector StartOnDefaultPortOrAny()
    {
        try
        {
            return FakeOtlpCollector.Start(4318);
        }
        catch (SocketException)
        {
            return FakeOtlpCollector.Start();
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
