using System.Text.RegularExpressions;

namespace RunnerTokens.Host.Tests;

/// <summary>What an operator sees on a terminal when running the real command.</summary>
public sealed class OperatorLogEndToEndTests
{
    private static readonly Regex OperatorLine = new(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (trace|debug|info |warn |error|crit ) ", RegexOptions.CultureInvariant);

    [Fact]
    public async Task CheckAndRefresh_OnATerminal_TimeLevelRunnerMessageWithoutCategory()
    {
        await using var e2e = await EndToEnd.StartAsync();

        var result = await e2e.RunAsync("--check-and-refresh");

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Matches(OperatorLine, line));
        Assert.Contains(lines, line => Regex.IsMatch(line, @"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d info  runner-1: refreshed; new registration token expires at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", RegexOptions.CultureInvariant));
        Assert.DoesNotContain("RunnerTokens.", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("runner-1: Runner runner-1:", result.StandardOutput, StringComparison.Ordinal);

        // The log file has the same lines.
        Assert.All(File.ReadAllLines(e2e.LogFile), line => Assert.Matches(OperatorLine, line));
    }

    [Fact]
    public async Task CheckAndRefresh_ConfigShFails_ErrorLineWithoutStackTrace()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Runner.ConfigSh.Fail("configure", "Http response code: Forbidden");

        var result = await e2e.RunAsync("--check-and-refresh");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d error runner-1: refresh failed after \d of \d attempt\(s\)", RegexOptions.Multiline | RegexOptions.CultureInvariant), result.StandardOutput);
        Assert.DoesNotContain("   at ", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", result.StandardOutput, StringComparison.Ordinal);
    }
}
