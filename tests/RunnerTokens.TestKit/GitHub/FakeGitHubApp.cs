using System.Security.Cryptography;

namespace RunnerTokens.TestKit.GitHub;

/// <summary>A GitHub App known to the fake API: its id, client id, a fresh RSA key, and its installations.</summary>
public sealed class FakeGitHubApp : IDisposable
{
    private readonly Dictionary<long, string> _installations = [];
    private readonly Lock _gate = new();

    internal FakeGitHubApp(long appId, string clientId)
    {
        AppId = appId;
        ClientId = clientId;
        Key = RSA.Create(2048);
    }

    public long AppId { get; }

    public string ClientId { get; }

    /// <summary>Gets the App's key; the fake verifies JWT signatures with its public half.</summary>
    public RSA Key { get; }

    /// <summary>Gets the private key as GitHub hands it out (PKCS#1, <c>BEGIN RSA PRIVATE KEY</c>).</summary>
    public string PrivateKeyPem => Key.ExportRSAPrivateKeyPem();

    /// <summary>Installs the App on an organisation (<c>acme</c>) or a repository (<c>owner/repo</c>).</summary>
    public FakeGitHubApp AddInstallation(long installationId, string account)
    {
        lock (_gate)
        {
            _installations[installationId] = account;
        }

        return this;
    }

    /// <summary>
    /// Uninstalls the App from an installation, as GitHub does when an owner removes it: the id answers 404 at
    /// <c>POST /app/installations/{id}/access_tokens</c>, and its installation tokens are revoked (401).
    /// Reinstalling is <see cref="AddInstallation"/> with a new id.
    /// </summary>
    public FakeGitHubApp RemoveInstallation(long installationId)
    {
        lock (_gate)
        {
            _installations.Remove(installationId);
        }

        return this;
    }

    /// <summary>Writes the private key to a file readable by its owner only; returns the path.</summary>
    public string WritePrivateKey(string path)
    {
        File.WriteAllText(path, PrivateKeyPem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    internal string? AccountOf(long installationId)
    {
        lock (_gate)
        {
            return _installations.TryGetValue(installationId, out var account) ? account : null;
        }
    }

    internal long? InstallationFor(string account)
    {
        lock (_gate)
        {
            foreach (var (id, installed) in _installations)
            {
                if (string.Equals(installed, account, StringComparison.OrdinalIgnoreCase))
                {
                    return id;
                }
            }

            return null;
        }
    }

    public void Dispose() => Key.Dispose();
}
