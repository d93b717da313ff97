using System.Text;
using CliWrap.Buffered;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// Runs every row of <see cref="BadInputCatalog"/> as an operator would: the built command, against a fake runner
/// machine and a fake GitHub API, with one bad input, in each mode the input applies to.
/// </summary>
public sealed class BadInputMatrixTests
{
    /// <summary>A daemon that starts despite a bad input never ends by itself; this is how long it is given to refuse.</summary>
    private static readonly TimeSpan _runLimit = TimeSpan.FromSeconds(30);

    public static TheoryData<string> RefusedIds => [.. BadInputCatalog.Inputs.Where(i => i.ExitCode == 2).Select(i => i.Id)];

    public static TheoryData<string> AcceptedIds => [.. BadInputCatalog.Inputs.Where(i => i.ExitCode != 2).Select(i => i.Id)];

    [Theory]
    [MemberData(nameof(RefusedIds))]
    public async Task RefusedAtStart(string id)
    {
        // arrange
        var input = BadInputCatalog.Find(id);
        await using var e2e = await EndToEnd.StartAsync();
        input.Arrange?.Invoke(e2e);
        var before = e2e.Machine.Runner.Snapshot();

        foreach (var mode in input.Modes)
        {
            // act
            var result = await RunAsync(e2e, input, mode);

            // assert: exit 2, one line that says what is wrong, no stack trace, no token, nothing touched
            var output = result.StandardOutput + result.StandardError;
            var context = $"{id} {mode}: exit {result.ExitCode}\n{output}";
            Assert.True(result.ExitCode == input.ExitCodeIn(mode), context);
            var shows = input.Shows.Select(s => Expand(e2e, s)).ToList();
            var lines = new[] { result.StandardOutput, result.StandardError }
                .Select(stream => stream.Split('\n').Count(line => shows.All(s => line.Contains(s, StringComparison.Ordinal))))
                .ToList();
            Assert.True(lines.Sum() >= 1 && lines.All(count => count <= 1), $"expected one line holding [{string.Join(" | ", shows)}]; {context}");
            Assert.False(output.Contains("\n   at ", StringComparison.Ordinal) || output.Contains("Unhandled exception", StringComparison.Ordinal), $"a stack trace; {context}");
            Assert.True(e2e.Api.IssuedTokens.Count == 0, $"a token was fetched; {context}");
            // A runner's own bad file is found by the checks, beside their read-only calls (the credential works; the
            // hourly listing of a one-shot check): never a token nor a change.
            var readOnlyAllowed = input.OneShotExitCode is not null;
            var requests = e2e.Api.Requests.Where(r => !(readOnlyAllowed && r.Method == "GET")).Select(r => $"{r.Method} {r.Path}").ToList();
            Assert.True(requests.Count == 0, $"GitHub was asked {string.Join(", ", requests)}; {context}");
            Assert.True(e2e.Machine.Sequence.Count == 0, $"config.sh or systemctl ran: {string.Join(", ", e2e.Machine.Sequence)}; {context}");
            AssertUnchanged(before, e2e.Machine.Runner.Snapshot(), context);
            TokenScan.AssertNoneLeaked(e2e, result);
        }
    }

    [Theory]
    [MemberData(nameof(AcceptedIds))]
    public async Task Accepted(string id)
    {
        // arrange
        var input = BadInputCatalog.Find(id);
        await using var e2e = await EndToEnd.StartAsync();
        input.Arrange?.Invoke(e2e);
        var before = e2e.Machine.Runner.Snapshot();

        foreach (var mode in input.Modes)
        {
            // act
            var result = await RunAsync(e2e, input, mode);

            // assert: not refused, said where it matters, and (a dry run) nothing touched
            var output = result.StandardOutput + result.StandardError;
            var context = $"{id} {mode}: exit {result.ExitCode}\n{output}";
            Assert.True(result.ExitCode == input.ExitCode, context);
            Assert.DoesNotContain("is not allowed", output, StringComparison.Ordinal);
            foreach (var hidden in input.Hides)
            {
                Assert.False(output.Contains(hidden, StringComparison.Ordinal), $"'{hidden}' shown; {context}");
            }

            foreach (var shown in input.Shows.Select(s => Expand(e2e, s)))
            {
                Assert.True(output.Contains(shown, StringComparison.Ordinal), $"'{shown}' not shown; {context}");
            }

            Assert.Empty(e2e.Api.IssuedTokens);
            Assert.Empty(e2e.Machine.Runner.ConfigSh.Calls);
            AssertUnchanged(before, e2e.Machine.Runner.Snapshot(), context);
            TokenScan.AssertNoneLeaked(e2e, result);
        }
    }

    [Fact]
    public void Catalog_EveryRowHasAUniqueIdAPhraseAndItsTest()
    {
        var rows = BadInputCatalog.Rows;

        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(rows, row =>
        {
            Assert.Equal(MatrixKind.BadInput, row.Kind);
            Assert.False(string.IsNullOrWhiteSpace(row.What) || row.What.Contains('\n', StringComparison.Ordinal), row.Id);
            Assert.False(string.IsNullOrWhiteSpace(row.Expected) || row.Expected.Contains('\n', StringComparison.Ordinal), row.Id);
            Assert.Contains(row.Test, new[] { BadInputCatalog.RefusedTest, BadInputCatalog.AcceptedTest });
        });
    }

    [Fact]
    public void Catalog_EverySettingOfTheCommandHasABadValueRow()
    {
        var tried = string.Join('\n', BadInputCatalog.Inputs
            .SelectMany(i => i.Args.Concat(i.Environment.Keys).Concat(i.Shows)));
        var missing = CommandLine.HostSettingCatalog.All
            .Where(s => !(s.Flag is { } flag && tried.Contains(flag, StringComparison.Ordinal)) && !(s.Variable is { } variable && tried.Contains(variable, StringComparison.Ordinal)))
            .Select(s => s.Names)
            .ToList();

        Assert.True(missing.Count == 0, "no bad-value row for " + string.Join(", ", missing));
    }

    private static async Task<BufferedCommandResult> RunAsync(EndToEnd e2e, BadInput input, string mode)
    {
        var environment = e2e.Environment;
        foreach (var (name, value) in input.Environment)
        {
            environment[name] = value is null ? null : Expand(e2e, value);
        }

        var args = input.Args.Select(a => Expand(e2e, a)).ToList();
        var prefix = new List<string> { mode };
        if (!args.Any(a => a.StartsWith("--runner-dir", StringComparison.Ordinal)) && !input.Environment.ContainsKey("RUNNER_DIR") && !ConfigHasRunners(e2e, args))
        {
            prefix.AddRange(["--runner-dir", e2e.Machine.Runner.Path]);
        }

        if (!args.Any(a => a.StartsWith("--api-url", StringComparison.Ordinal)) && !input.Environment.ContainsKey("GITHUB_API_URL"))
        {
            prefix.AddRange(["--api-url", e2e.Api.BaseUrl.ToString()]);
        }

        using var limit = new CancellationTokenSource(_runLimit);
        try
        {
            // From the machine's folder: a relative path that slipped through lands there, never in the repository.
            return await HostProcess.Command([.. prefix, .. args], environment, e2e.Machine.RootPath).ExecuteBufferedAsync(Encoding.UTF8, limit.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{input.Id} {mode}: still running after {_runLimit.TotalSeconds} s: the bad input was not refused at start");
            throw;
        }
    }

    /// <summary>A <c>--config</c> file with its own runners refuses the one-runner flags: give none then.</summary>
    private static bool ConfigHasRunners(EndToEnd e2e, List<string> args) =>
        args.IndexOf("--config") is var at and >= 0 && at + 1 < args.Count && File.Exists(args[at + 1])
        && File.ReadAllText(args[at + 1]).Contains("\"Runners\"", StringComparison.Ordinal);

    private static string Expand(EndToEnd e2e, string text) =>
        text.Replace("{runner}", e2e.Machine.Runner.Path, StringComparison.Ordinal)
            .Replace("{root}", e2e.Machine.RootPath, StringComparison.Ordinal);

    private static void AssertUnchanged(IReadOnlyDictionary<string, byte[]> before, IReadOnlyDictionary<string, byte[]> after, string context)
    {
        Assert.True(before.Keys.Order(StringComparer.Ordinal).SequenceEqual(after.Keys.Order(StringComparer.Ordinal)), $"the runner's files changed; {context}");
        foreach (var (name, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed; {context}");
        }
    }
}
