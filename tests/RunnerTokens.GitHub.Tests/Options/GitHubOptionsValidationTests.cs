using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub.Tests.Options;

public sealed class GitHubOptionsValidationTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        Assert.Null(Errors(_ => { }));
    }

    [Theory]
    [InlineData("RequestTimeout", "GitHub:RequestTimeout = 00:00:00 (0 s) is not allowed: it must be from 00:00:01 (1 s) to 00:01:40 (100 s).")]
    [InlineData("MaxRetryAttempts", "GitHub:MaxRetryAttempts = 11 is not allowed: it must be from 0 to 10.")]
    [InlineData("RetryDelay", "GitHub:RetryDelay = 00:02:00 (120 s) is not allowed: it must be from 00:00:00 (0 s) to 00:01:00 (60 s).")]
    [InlineData("MaxRateLimitWait", "GitHub:MaxRateLimitWait = 02:00:00 (7200 s) is not allowed: it must be from 00:00:00 (0 s) to 01:00:00 (3600 s).")]
    [InlineData("RegistrationChecksPerHour", "GitHub:RegistrationChecksPerHour = 0 is not allowed: it must be from 1 to 3600.")]
    public void Validate_OutOfRange_NamesSettingValueAndRange(string setting, string expected)
    {
        var errors = Errors(o =>
        {
            switch (setting)
            {
                case "RequestTimeout": o.RequestTimeout = TimeSpan.Zero; break;
                case "MaxRetryAttempts": o.MaxRetryAttempts = 11; break;
                case "RetryDelay": o.RetryDelay = TimeSpan.FromMinutes(2); break;
                case "RegistrationChecksPerHour": o.RegistrationChecksPerHour = 0; break;
                default: o.MaxRateLimitWait = TimeSpan.FromHours(2); break;
            }
        });

        // The generated validator puts the member name first.
        Assert.Equal($"{setting}: {expected}", errors);
    }

    [Theory]
    [InlineData("state")]
    [InlineData(" ")]
    public void Validate_RelativeStateDirectory_FailsNamingIt(string folder)
    {
        Assert.Contains($"GitHub:StateDirectory = '{folder}' is not allowed: it must be an absolute path", Errors(o => o.StateDirectory = folder), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url", "GitHub:ApiUrl = 'not a url' is not allowed")]
    [InlineData("ftp://x", "GitHub:ApiUrl = 'ftp://x' is not allowed")]
    public void Validate_BadApiUrl_Fails(string apiUrl, string expected)
    {
        Assert.StartsWith(expected, Errors(o => o.ApiUrl = apiUrl), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AppIdWithoutKey_FailsNamingPrivateKeyFile()
    {
        Assert.StartsWith("GitHub:PrivateKeyFile is not set", Errors(o => o.AppId = 12), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyWithoutAppId_FailsNamingAppIdAndClientId()
    {
        Assert.StartsWith("GitHub:AppId and GitHub:ClientId are not set", Errors(o => o.PrivateKeyFile = "/etc/app.pem"), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InstallationIdWithoutApp_Fails()
    {
        Assert.Contains("GitHub:InstallationId is set but no GitHub App is", Errors(o => o.InstallationId = 5), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeAppId_Fails()
    {
        Assert.Contains("GitHub:AppId = -1 is not allowed", Errors(o => { o.AppId = -1; o.PrivateKeyFile = "/k.pem"; }), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ClientIdAndKey_Pass()
    {
        using var temp = new RunnerTokens.TestKit.TempDirectory();
        var key = WriteKey(temp);

        Assert.Null(Errors(o => { o.ClientId = "Iv23liabc"; o.PrivateKeyFile = key; o.InstallationId = 9; }));
    }

    [Theory]
    [InlineData("missing", "it does not exist")]
    [InlineData("folder", "it is not a regular file")]
    [InlineData("empty", "it is empty")]
    [InlineData("token", "it holds no RSA private key in PEM form")]
    public void Validate_AppKeyFileThatCannotSign_FailsAtStartNamingPathAndProblemButNotTheContent(string kind, string problem)
    {
        using var temp = new RunnerTokens.TestKit.TempDirectory();
        var path = temp.Combine("app.pem");
        switch (kind)
        {
            case "folder": Directory.CreateDirectory(path); break;
            case "empty": File.WriteAllText(path, "\n"); break;
            case "token": File.WriteAllText(path, "ghp_SecretTokenInTheWrongFile0123\n"); break;
        }

        var errors = Errors(o => { o.AppId = 12; o.PrivateKeyFile = path; });

        Assert.Equal($"GitHub:PrivateKeyFile = '{path}' cannot be used: {problem}; it must be the App's private key (PEM, as GitHub downloads it), readable by this user.", errors);
        Assert.DoesNotContain("ghp_", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pkcs1", true)]
    [InlineData("pkcs8", true)]
    [InlineData("pkcs1 after text", true)]
    [InlineData("public", false)]
    [InlineData("ec", false)]
    [InlineData("two keys", false)]
    [InlineData("damaged", false)]
    public void HoldsRsaPrivateKey_EachKindOfPem_TrueExactlyWhenTheKeyCanSign(string kind, bool expected)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        using var ec = System.Security.Cryptography.ECDsa.Create();
        var pkcs1 = rsa.ExportRSAPrivateKeyPem();
        var pem = kind switch
        {
            "pkcs1" => pkcs1,
            "pkcs8" => rsa.ExportPkcs8PrivateKeyPem(),
            "pkcs1 after text" => "Bag Attributes\n" + pkcs1,
            "public" => rsa.ExportSubjectPublicKeyInfoPem(),
            "ec" => ec.ExportPkcs8PrivateKeyPem(),
            "two keys" => pkcs1 + "\n" + rsa.ExportPkcs8PrivateKeyPem(),
            _ => pkcs1.Replace("\n", "\nAAAA", StringComparison.Ordinal),
        };

        Assert.Equal(expected, GitHubOptionsValidator.HoldsRsaPrivateKey(pem));
        Assert.Equal(CanSign(pem), GitHubOptionsValidator.HoldsRsaPrivateKey(pem));
    }

    /// <summary>What the App's authenticator does with the key: import it, then sign.</summary>
    private static bool CanSign(string pem)
    {
        using var rsa = System.Security.Cryptography.RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            _ = rsa.SignData([1, 2, 3], System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("missing", "it does not exist")]
    [InlineData("empty", "it is empty")]
    public void Validate_TokenFileThatGivesNoToken_FailsAtStartNamingPathAndProblem(string kind, string problem)
    {
        using var temp = new RunnerTokens.TestKit.TempDirectory();
        var path = temp.Combine("github-token");
        if (kind == "empty")
        {
            File.WriteAllText(path, " \n");
        }

        Assert.Equal(
            $"GitHub:TokenFile = '{path}' cannot be used: {problem}; it must be a file holding a GitHub token, readable by this user.",
            Errors(o => o.TokenFile = path));
    }

    [Fact]
    public void Validate_TokenFileMissingBesideAnApp_PassesAsTheAppIsUsed()
    {
        using var temp = new RunnerTokens.TestKit.TempDirectory();
        var key = WriteKey(temp);

        Assert.Null(Errors(o => { o.AppId = 12; o.PrivateKeyFile = key; o.TokenFile = temp.Combine("nope"); }));
    }

    [Fact]
    public void Validate_AppKeyFileMissing_FailsAtStartThroughTheContainer()
    {
        using var temp = new RunnerTokens.TestKit.TempDirectory();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRunnerTokenRefresh().AddGitHub(o => { o.AppId = 12; o.PrivateKeyFile = temp.Combine("app.pem"); });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GitHubOptions>>().Value);

        Assert.Contains($"GitHub:PrivateKeyFile = '{temp.Combine("app.pem")}' cannot be used: it does not exist", error.Message, StringComparison.Ordinal);
    }

    private static string WriteKey(RunnerTokens.TestKit.TempDirectory temp)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var path = temp.Combine("app.pem");
        File.WriteAllText(path, rsa.ExportRSAPrivateKeyPem());
        return path;
    }

    [Fact]
    public void Validate_BadOptions_FailAtStart()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRunnerTokenRefresh().AddGitHub(o => o.AppId = 12);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GitHubOptions>>().Value);

        Assert.Contains("GitHub:PrivateKeyFile is not set", error.Message, StringComparison.Ordinal);
    }

    private static string? Errors(Action<GitHubOptions> configure)
    {
        var options = new GitHubOptions();
        configure(options);
        var results = new IValidateOptions<GitHubOptions>[] { new GitHubOptionsDataValidator(), new GitHubOptionsValidator() }
            .Select(v => v.Validate(null, options))
            .Where(r => r.Failed)
            .SelectMany(r => r.Failures ?? [])
            .ToList();
        return results.Count == 0 ? null : string.Join(" | ", results);
    }
}
