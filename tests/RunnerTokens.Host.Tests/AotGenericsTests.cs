using System.Diagnostics.CodeAnalysis;
using System.Xml.Linq;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// The generic types the Native AOT publish compiles ahead of time for the one-shot check
/// (<c>Trimming/OneShotGenerics.rd.xml</c>): each must still exist, or the publish fails.
/// </summary>
public sealed class AotGenericsTests
{
    [Fact]
    public void EveryTypeOfTheRdXml_Resolves()
    {
        var file = Path.Combine(HostProcess.RepositoryRoot, "src", "RunnerTokens.Host", "Trimming", "OneShotGenerics.rd.xml");
        var names = XDocument.Load(file).Descendants()
            .Where(e => e.Name.LocalName == "Type")
            .Select(e => $"{e.Attribute("Name")!.Value}, {e.Parent!.Attribute("Name")!.Value}")
            .ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.NotNull(Resolve(name)));
    }

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "A test, run on the JIT with every assembly present.")]
    private static Type? Resolve(string name) => Type.GetType(name, throwOnError: false);
}
