using System.Formats.Asn1;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// Checks what the attributes cannot: the API URL's shape, a GitHub App configured in full or not at all, and that the
/// credential files it names can be used, so that a wrong path fails at start rather than at the first token.
/// </summary>
internal sealed class GitHubOptionsValidator : IValidateOptions<GitHubOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        var errors = new List<string>();
        if (options.ApiUrl is { } apiUrl && !ApiRoot.TryParse(apiUrl, out _))
        {
            errors.Add($"GitHub:ApiUrl = '{apiUrl}' is not allowed: it must be an absolute http(s) URL such as https://api.github.com or https://ghes.example.com/api/v3.");
        }

        var hasIssuer = options.AppId is not null || !string.IsNullOrWhiteSpace(options.ClientId);
        var hasKey = !string.IsNullOrWhiteSpace(options.PrivateKeyFile);
        if (options.AppId is <= 0)
        {
            errors.Add($"GitHub:AppId = {options.AppId} is not allowed: it must be the App's positive numeric id (or set GitHub:ClientId instead).");
        }

        if (hasIssuer && !hasKey)
        {
            errors.Add("GitHub:PrivateKeyFile is not set: a GitHub App (GitHub:AppId or GitHub:ClientId is set) needs its private key file (PEM).");
        }

        if (hasIssuer && hasKey && KeyFileProblem(options.PrivateKeyFile!.Trim()) is { } keyProblem)
        {
            errors.Add($"GitHub:PrivateKeyFile = '{options.PrivateKeyFile}' cannot be used: {keyProblem}; it must be the App's private key (PEM, as GitHub downloads it), readable by this user.");
        }

        // The token file serves only without an App (the App comes first); it is read again at every call, so that a
        // rotated token is picked up, but one that cannot serve now is a wrong setting.
        if (!(hasIssuer && hasKey) && !string.IsNullOrWhiteSpace(options.TokenFile) && TokenFileProblem(options.TokenFile.Trim()) is { } tokenProblem)
        {
            errors.Add($"GitHub:TokenFile = '{options.TokenFile}' cannot be used: {tokenProblem}; it must be a file holding a GitHub token, readable by this user.");
        }

        if (hasKey && !hasIssuer)
        {
            errors.Add("GitHub:AppId and GitHub:ClientId are not set: a GitHub App private key (GitHub:PrivateKeyFile is set) needs the App's id or client id.");
        }

        if (options.InstallationId is { } installation && (installation <= 0 || !hasIssuer))
        {
            errors.Add(installation <= 0
                ? $"GitHub:InstallationId = {installation} is not allowed: it must be a positive number."
                : "GitHub:InstallationId is set but no GitHub App is: set GitHub:AppId (or GitHub:ClientId) and GitHub:PrivateKeyFile too.");
        }

        if (options.StateDirectory is { } stateDirectory && (string.IsNullOrWhiteSpace(stateDirectory) || !Path.IsPathFullyQualified(stateDirectory.Trim())))
        {
            errors.Add($"GitHub:StateDirectory = '{stateDirectory}' is not allowed: it must be an absolute path, such as /var/lib/runner-token-refresh (or leave it unset for the refresher's state folder).");
        }

        if (string.IsNullOrWhiteSpace(options.GhPath))
        {
            errors.Add("GitHub:GhPath is empty: it must name the gh program (default 'gh'), or set GitHub:UseGitHubCli to false.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Why the App's key file cannot sign a JWT, or null. Never says what the file holds.</summary>
    private static string? KeyFileProblem(string path)
    {
        var text = ReadSecret(path, out var problem);
        if (text is null)
        {
            return problem;
        }

        return HoldsRsaPrivateKey(text) ? null : "it holds no RSA private key in PEM form";
    }

    /// <summary>
    /// Whether <paramref name="pem"/> holds one RSA private key in PEM form: PKCS#1 (<c>RSA PRIVATE KEY</c>, as GitHub
    /// downloads it) or unencrypted PKCS#8 (<c>PRIVATE KEY</c>). Checked by its ASN.1 structure, without the system's
    /// cryptography library, whose loading would cost every start (a one-shot check that calls GitHub never) more
    /// than the rest of the check; the App's authenticator imports the key when it first signs, and says so if it
    /// cannot.
    /// </summary>
    internal static bool HoldsRsaPrivateKey(string pem)
    {
        (string Label, string Base64)? key = null;
        var offset = 0;
        while (PemEncoding.TryFind(pem.AsSpan(offset), out var fields))
        {
            var found = pem.AsSpan(offset);
            var label = found[fields.Label].ToString();
            if (KeyLabels.Contains(label))
            {
                if (key is not null)
                {
                    // As RSA.ImportFromPem: two keys are ambiguous.
                    return false;
                }

                key = (label, found[fields.Base64Data].ToString());
            }

            offset += fields.Location.End.GetOffset(found.Length);
        }

        if (key is not { } only || only.Label is not (Pkcs1Label or Pkcs8Label))
        {
            return false;
        }

        try
        {
            var der = Convert.FromBase64String(only.Base64);
            return only.Label == Pkcs1Label ? IsRsaPrivateKey(der) : IsRsaPrivateKeyInfo(der);
        }
        catch (Exception ex) when (ex is AsnContentException or FormatException)
        {
            return false;
        }
    }

    /// <summary>The labels RSA.ImportFromPem looks for; of these, only the two unencrypted private keys can sign.</summary>
    private static readonly string[] KeyLabels = [Pkcs1Label, Pkcs8Label, "ENCRYPTED PRIVATE KEY", "RSA PUBLIC KEY", "PUBLIC KEY"];

    private const string Pkcs1Label = "RSA PRIVATE KEY";
    private const string Pkcs8Label = "PRIVATE KEY";
    private const string RsaEncryption = "1.2.840.113549.1.1.1";

    /// <summary>PKCS#8 PrivateKeyInfo (RFC 5208) of an RSA key: version, algorithm rsaEncryption, the PKCS#1 key.</summary>
    private static bool IsRsaPrivateKeyInfo(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.BER);
        var info = outer.ReadSequence();
        _ = info.ReadIntegerBytes();
        var algorithm = info.ReadSequence();
        if (algorithm.ReadObjectIdentifier() != RsaEncryption)
        {
            return false;
        }

        return IsRsaPrivateKey(info.ReadOctetString()) && !outer.HasData;
    }

    /// <summary>PKCS#1 RSAPrivateKey (RFC 8017 A.1.2): version and eight positive integers, n and d not zero.</summary>
    private static bool IsRsaPrivateKey(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.BER);
        var key = outer.ReadSequence();
        _ = key.ReadIntegerBytes();
        for (var i = 0; i < 8; i++)
        {
            var value = key.ReadIntegerBytes().Span;
            if (value.Length == 0 || (value[0] & 0x80) != 0 || (value.Length == 1 && value[0] == 0))
            {
                return false;
            }
        }

        return !outer.HasData;
    }

    private static string? TokenFileProblem(string path)
    {
        _ = ReadSecret(path, out var problem);
        return problem;
    }

    /// <summary>The file's text, or null with why it cannot be read (missing, not a regular file, unreadable, empty).</summary>
    private static string? ReadSecret(string path, out string? problem)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            problem = "it does not exist";
            return null;
        }

        // A FIFO would block the start until a writer comes; a folder cannot be read.
        if (!OperatingSystem.IsWindows() && UnixFileStatus.NotRegularProblem(path) is not null)
        {
            problem = "it is not a regular file";
            return null;
        }

        try
        {
            var text = File.ReadAllText(path);
            problem = string.IsNullOrWhiteSpace(text) ? "it is empty" : null;
            return problem is null ? text : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"it cannot be read ({ex.GetType().Name}: {ex.Message})";
            return null;
        }
    }
}
