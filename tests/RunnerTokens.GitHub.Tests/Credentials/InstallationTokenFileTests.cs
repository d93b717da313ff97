using Microsoft.Extensions.DependencyInjection;

namespace RunnerTokens.GitHub.Tests.Credentials;

public sealed class InstallationTokenFileTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] KeyA = InstallationTokenFile.SealingKey("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----");
    private static readonly byte[] KeyB = InstallationTokenFile.SealingKey("-----BEGIN RSA PRIVATE KEY-----\nBBBB\n-----END RSA PRIVATE KEY-----");

    [Fact]
    public async Task Find_SameKey_GivesTheTokenBackFromAnotherProcess()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Services.GetRequiredService<InstallationTokenFile>().Remember("4242|https://api/|77", "ghs_one", Now.AddHours(1), Now, KeyA);

        var found = h.StartAnotherProcess().GetRequiredService<InstallationTokenFile>().Find("4242|https://api/|77", KeyA);

        Assert.Equal(("ghs_one", Now.AddHours(1)), found);
    }

    [Fact]
    public async Task Find_AppKeyRotated_GivesNothing()
    {
        // A token sealed with the App's old key is of no use to a process that has the new key (or to one without it).
        await using var h = await GitHubHarness.StartAsync();
        var file = h.Services.GetRequiredService<InstallationTokenFile>();
        file.Remember("4242|https://api/|77", "ghs_one", Now.AddHours(1), Now, KeyA);

        Assert.Null(file.Find("4242|https://api/|77", KeyB));
    }

    [Fact]
    public async Task Find_SealedTokenCopiedToAnotherEntry_GivesNothing()
    {
        // The entry's key is sealed with the token: an entry cannot be made to serve another App or installation.
        await using var h = await GitHubHarness.StartAsync();
        var file = h.Services.GetRequiredService<InstallationTokenFile>();
        file.Remember("4242|https://api/|77", "ghs_one", Now.AddHours(1), Now, KeyA);
        var path = Path.Combine(h.Options.StateDirectory!, InstallationTokenFile.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("4242|https://api/|77", "4242|https://api/|78", StringComparison.Ordinal));

        Assert.Null(file.Find("4242|https://api/|78", KeyA));
    }

    [Fact]
    public async Task Remember_DropsExpiredTokensOfOtherInstallations()
    {
        await using var h = await GitHubHarness.StartAsync();
        var file = h.Services.GetRequiredService<InstallationTokenFile>();
        file.Remember("4242|https://api/|77", "ghs_old", Now.AddHours(1), Now, KeyA);
        file.Remember("4242|https://api/|78", "ghs_new", Now.AddHours(2), Now.AddHours(1), KeyA);

        Assert.Null(file.Find("4242|https://api/|77", KeyA));
        Assert.Equal("ghs_new", file.Find("4242|https://api/|78", KeyA)?.Token);
    }

    [Fact]
    public async Task Remember_NoStateFolder_WritesNothingAndFindsNothing()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Options.StateDirectory = null;
        var file = h.StartAnotherProcess().GetRequiredService<InstallationTokenFile>();

        file.Remember("4242|https://api/|77", "ghs_one", Now.AddHours(1), Now, KeyA);

        Assert.Null(file.Find("4242|https://api/|77", KeyA));
    }
}
