using System.Xml.Linq;

namespace RunnerTokens.Host.Tests;

/// <summary>Directory.Packages.props pins only what some project uses: a version nobody references is a version nobody updates.</summary>
public sealed class CentralPackageTests
{
    [Fact]
    public void EveryCentralPackageVersion_IsReferencedByAProject()
    {
        var root = HostProcess.RepositoryRoot;
        var pinned = XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Select(e => e.Attribute("Include")!.Value)
            .ToList();
        var projects = Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(root, "Directory.Build.props", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}artifacts{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var referenced = projects
            .SelectMany(p => XDocument.Load(p).Descendants("PackageReference"))
            .Select(e => e.Attribute("Include")!.Value)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var unused = pinned.Except(referenced, StringComparer.OrdinalIgnoreCase).ToList();

        Assert.NotEmpty(pinned);
        Assert.Empty(unused);
    }
}
