using System.Reflection;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>The fault catalog is what runs: every row is a case of a theory that exists, and reads well in the README's table.</summary>
public sealed class FaultCatalogTests
{
    [Fact]
    public void Rows_EachNamesATheoryOfTheMatrix_SoEveryRowRuns()
    {
        foreach (var row in FaultCatalog.Rows)
        {
            var parts = row.Test.Split('.');
            Assert.True(parts.Length == 2, $"{row.Id}: Test '{row.Test}' is not Class.Method");
            var type = typeof(FaultCatalogTests).Assembly.GetType($"{typeof(FaultCatalogTests).Namespace}.{parts[0]}");
            var method = type?.GetMethod(parts[1], BindingFlags.Public | BindingFlags.Instance);
            Assert.True(method?.GetCustomAttribute<TheoryAttribute>() is not null, $"{row.Id}: no theory {row.Test}");
            Assert.True(method!.GetCustomAttributes<MemberDataAttribute>().Any(), $"{row.Id}: {row.Test} takes no cases from the catalog");
        }
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
