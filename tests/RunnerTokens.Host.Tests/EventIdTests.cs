using System.Text.RegularExpressions;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// Every log event id is unique across the packages, so an operator who filters the journal or a log pipeline by id
/// gets one kind of line: a copied <c>[LoggerMessage]</c> that keeps its id fails here. Read from the sources, as the
/// source generator reads them.
/// </summary>
public sealed partial class EventIdTests
{
    [Fact]
    public void LoggerMessages_EventIds_AreUniqueAcrossPackages()
    {
        var ids = Directory.EnumerateFiles(Path.Combine(HostProcess.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => EventId().Matches(File.ReadAllText(f)).Select(m => (Id: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), File: Path.GetFileName(f))))
            .ToList();

        Assert.True(ids.Count > 50, $"only {ids.Count} event ids found: is the pattern still right?");
        Assert.Empty(ids.GroupBy(i => i.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(i => i.File))}"));
    }

    [GeneratedRegex(@"\[LoggerMessage\(EventId = (\d+)")]
    private static partial Regex EventId();
}
