namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>The fault catalog is what runs: every row is a case of a theory that exists, and reads well in the README's table.</summary>
public sealed class FaultCatalogTests
{
    /// <summary>The theories that take their cases from the catalog (<see cref="FaultScenario.Cases"/>).</summary>
    private static readonly string[] _theories =
    [
        $"{nameof(FaultMatrixGitHubTests)}.{nameof(FaultMatrixGitHubTests.Faults)}",
        $"{nameof(FaultMatrixConfigShTests)}.{nameof(FaultMatrixConfigShTests.Faults)}",
        $"{nameof(FaultMatrixSystemctlTests)}.{nameof(FaultMatrixSystemctlTests.Faults)}",
        $"{nameof(FaultMatrixSignalTests)}.{nameof(FaultMatrixSignalTests.Sigterm)}",
        $"{nameof(FaultMatrixSignalTests)}.{nameof(FaultMatrixSignalTests.Sigkill)}",
        $"{nameof(FaultMatrixDiskTests)}.{nameof(FaultMatrixDiskTests.Faults)}",
        $"{nameof(FaultMatrixRaceTests)}.{nameof(FaultMatrixRaceTests.Faults)}",
    ];

    [Fact]
    public void Rows_EachNamesATheoryOfTheMatrix_SoEveryRowRuns()
    {
        Assert.All(FaultCatalog.Rows, row => Assert.Contains(row.Test, _theories));
        Assert.All(_theories, theory => Assert.Contains(FaultCatalog.Rows, row => row.Test == theory));
    }

    [Fact]
    public void Rows_UniqueIdsAndOneLinePhrases_FitTheReadmeTable()
    {
        Assert.Equal(FaultCatalog.Rows.Count, FaultCatalog.Rows.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(FaultCatalog.Rows, row =>
        {
            Assert.Equal(MatrixKind.Fault, row.Kind);
            Assert.Matches("^[a-z0-9-]+$", row.Id);
            foreach (var text in new[] { row.What, row.Expected })
            {
                Assert.False(string.IsNullOrWhiteSpace(text), row.Id);
                Assert.DoesNotContain('|', text);
                Assert.DoesNotContain('\n', text);
            }
        });
    }
}
