using System.Text;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// The README's fault matrix is the catalogs, row for row, with their counts: a row added, dropped or reworded in a
/// catalog fails here until the README says the same. <c>RUNNERTOKENS_UPDATE_README=1</c> rewrites the README's section
/// from the catalogs instead of failing.
/// </summary>
public sealed class FaultMatrixReadmeTests
{
    private const string Start = "<!-- fault-matrix:start (generated from tests/RunnerTokens.Host.Tests/FaultMatrix; RUNNERTOKENS_UPDATE_README=1 dotnet test --filter FaultMatrixReadmeTests rewrites it) -->";
    private const string End = "<!-- fault-matrix:end -->";

    internal static IReadOnlyList<MatrixRow> AllRows => [.. FaultCatalog.Rows, .. BadInputCatalog.Rows];

    [Fact]
    public void Catalogs_IdsAreUniqueAcrossBothHalves()
    {
        Assert.Empty(AllRows.GroupBy(r => r.Id).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Contains(AllRows, r => r.Kind == MatrixKind.Fault);
        Assert.Contains(AllRows, r => r.Kind == MatrixKind.BadInput);
    }

    [Fact]
    public void Readme_FaultMatrixSection_IsTheCatalogsWithTheirCounts()
    {
        var path = Path.Combine(HostProcess.RepositoryRoot, "README.md");
        var readme = File.ReadAllText(path);
        var start = readme.IndexOf(Start, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"README.md has no fault matrix between '{Start}' and '{End}'");
        var expected = Section();
        var actual = readme[(start + Start.Length)..end];
        if (actual != expected && Environment.GetEnvironmentVariable("RUNNERTOKENS_UPDATE_README") == "1")
        {
            File.WriteAllText(path, string.Concat(readme.AsSpan(0, start + Start.Length), expected, readme.AsSpan(end)));
            return;
        }

        Assert.Equal(expected, actual);
    }

    private static bool IsAccepted(MatrixRow row) => row.Test == BadInputCatalog.AcceptedTest;

    private static string Section()
    {
        var faults = AllRows.Count(r => r.Kind == MatrixKind.Fault);
        var inputs = AllRows.Count(r => r.Kind == MatrixKind.BadInput && !IsAccepted(r));
        var accepted = AllRows.Count(IsAccepted);
        var text = new StringBuilder();
        text.Append('\n');
        text.Append("**Faults survived: ").Append(faults).Append(" / ").Append(faults).Append(" tried. ")
            .Append("Bad inputs rejected cleanly: ").Append(inputs).Append(" / ").Append(inputs).Append(" tried ")
            .Append("(and ").Append(accepted).Append(" inputs that look wrong but are legal, accepted). ")
            .Append("Tokens leaked: 0** (every case scans its output, log, metrics, state and runner folders and the fakes' ")
            .Append("command lines and environments for every token the fake GitHub issued and for the PAT).\n\n");
        text.Append("| | fault or input | what happens | test |\n| --- | --- | --- | --- |\n");
        foreach (var row in AllRows)
        {
            text.Append("| ").Append(row.Kind == MatrixKind.Fault ? "fault" : IsAccepted(row) ? "legal input" : "bad input")
                .Append(" | ").Append(row.What)
                .Append(" | ").Append(row.Expected)
                .Append(" | `").Append(row.Test).Append("` `").Append(row.Id).Append("` |\n");
        }

        return text.ToString();
    }
}
