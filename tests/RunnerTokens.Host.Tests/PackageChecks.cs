using System.IO.Compression;
using System.Xml.Linq;

namespace RunnerTokens.Host.Tests;

/// <summary>What nuget.org shows of a package: its README, and the symbols package beside it for the debugger.</summary>
internal static class PackageChecks
{
    /// <summary>The .nupkg names and carries the README; the .snupkg beside it holds the assembly's portable PDB.</summary>
    public static void AssertReadmeAndSymbols(string nupkg, string assembly)
    {
        using (var archive = ZipFile.OpenRead(nupkg))
        {
            using var nuspec = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var readme = XDocument.Load(nuspec).Descendants().Single(e => e.Name.LocalName == "readme").Value;
            Assert.Equal("README.md", readme);
            var entry = archive.GetEntry(readme);
            Assert.NotNull(entry);
            using var text = new StreamReader(entry.Open());
            Assert.StartsWith("# RunnerTokens", text.ReadLine(), StringComparison.Ordinal);
        }

        var snupkg = Path.ChangeExtension(nupkg, ".snupkg");
        Assert.True(File.Exists(snupkg), $"no symbols package beside {nupkg}");
        using var symbols = ZipFile.OpenRead(snupkg);
        Assert.Contains(symbols.Entries, e => e.Name == assembly + ".pdb");
    }
}
