using System.Text.RegularExpressions;
using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.TestKit;

/// <summary>
/// The fake config.sh behaves like the real one (actions/runner 2.336.0) where RunnerTokens relies on it, against the
/// fake GitHub API, so that a wrong sequence fails as it would on a real machine.
/// </summary>
public sealed partial class FakeConfigShTests : IAsyncLifetime
{
    private const string Scope = "orgs/my-org";

    private FakeGitHubApi _gitHub = null!;

    public async Task InitializeAsync() => _gitHub = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync() => await _gitHub.DisposeAsync();

    [Fact]
    public async Task Configure_NewName_AddsRunnerWithNewIdAndWritesRegistration()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-2", "--labels", "gpu,big", "--work", "w"));

        Assert.True(exitCode == 0, output);
        var runner = _gitHub.FindRunner(Scope, "runner-2")!;
        Assert.True(runner.Id >= 1000);
        Assert.Equal(runner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), machine.Runner.ReadRunnerProperty("agentId"));
        Assert.Equal(("runner-2", "Default", "1", "w"), (machine.Runner.ReadRunnerProperty("agentName"), machine.Runner.ReadRunnerProperty("poolName"), machine.Runner.ReadRunnerProperty("poolId"), machine.Runner.ReadRunnerProperty("workFolder")));
        Assert.Equal("https://github.com/my-org", machine.Runner.ReadRunnerProperty("gitHubUrl"));
        Assert.Null(machine.Runner.ReadRunnerProperty("ephemeral"));
        Assert.Null(machine.Runner.ReadRunnerProperty("disableUpdate"));
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(machine.Runner.File(".runner"))[..3]);
        Assert.StartsWith("\uFEFF{\n  \"scheme\": \"OAuth\",\n  \"data\": {\n    \"clientId\": \"" + runner.ClientId.ToString("D"), System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(machine.Runner.File(".credentials"))), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(machine.Runner.File(".credentials_rsaparams")));
        Assert.True(runner.DefaultLabels);
        Assert.Equal(["gpu", "big"], runner.Labels);
        Assert.Equal(machine.Runner.ReadKeyModulus(), runner.PublicKeyModulus);
        Assert.All(_gitHub.Requests, r => Assert.Equal("RemoteAuth", r.AuthorizationScheme));
        Assert.Equal(
            ["POST /actions/runner-registration", "GET /orgs/my-org/actions/runner-groups", "GET /orgs/my-org/actions/runners", "POST /actions/runners/register"],
            _gitHub.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Configure_ReplaceSameName_KeepsIdAndReplacesLabelsGroupAndFlags()
    {
        using var machine = Machine(new RunnerLayout { Unit = null, Labels = ["old"] });
        var group = _gitHub.AddRunnerGroup(Scope, "linux-x64");
        await FakeProcess.ConfigShAsync(machine, null, "remove", "--local");

        var (exitCode, output) = await FakeProcess.ConfigShAsync(
            machine,
            Registration(),
            FakeProcess.Configure("runner-1", "--replace", "--labels", "gpu", "--no-default-labels", "--ephemeral", "--disableupdate", "--runnergroup", "Linux-X64"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("A runner exists with the same name", output, StringComparison.Ordinal);
        var runner = Assert.Single(_gitHub.RunnersIn(Scope));
        Assert.Equal(42, runner.Id);
        Assert.Equal("42", machine.Runner.ReadRunnerProperty("agentId"));
        Assert.Equal(["gpu"], runner.Labels);
        Assert.False(runner.DefaultLabels);
        Assert.True(runner.Ephemeral && runner.DisableUpdate);
        Assert.Equal(group, runner.RunnerGroupId);
        Assert.Equal("linux-x64", machine.Runner.ReadRunnerProperty("poolName"));
        Assert.Equal(("true", "true"), (machine.Runner.ReadRunnerProperty("ephemeral"), machine.Runner.ReadRunnerProperty("disableUpdate")));
        Assert.Contains("\"runner_id\":42", _gitHub.RequestsTo("/actions/runners/register").Single().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configure_SameNameWithoutReplace_RefusedLikeTheRealOneLeavingTheKey()
    {
        using var machine = Machine(new RunnerLayout { Unit = null });
        await FakeProcess.ConfigShAsync(machine, null, "remove", "--local");

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-1"));

        Assert.Equal(1, exitCode);
        Assert.Contains("A runner exists with the same name runner-1.", output, StringComparison.Ordinal);
        Assert.Equal(42, Assert.Single(_gitHub.RunnersIn(Scope)).Id);
        Assert.Equal([".credentials_rsaparams"], machine.Runner.Snapshot().Keys);
    }

    [Fact]
    public async Task Configure_UnknownGroup_RefusedLikeTheRealOne()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-2", "--runnergroup", "gpu-pool"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Could not find any self-hosted runner group named \"gpu-pool\".", output, StringComparison.Ordinal);
        Assert.Empty(_gitHub.RunnersIn(Scope));
    }

    [Theory]
    [InlineData("remove", Scope)]
    [InlineData("registration", "orgs/other-org")]
    [InlineData("expired", Scope)]
    public async Task Configure_TokenNotAValidRegistrationTokenForTheScope_Refused(string kind, string scope)
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });
        var token = kind == "expired"
            ? _gitHub.IssueToken(FakeGitHubApi.RegistrationKind, scope, TimeSpan.Zero)
            : _gitHub.IssueToken(kind, scope);

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, token, FakeProcess.Configure("runner-2"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Http response code: NotFound from 'POST http://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Contains("Response status code does not indicate success: 404 (Not Found).", output, StringComparison.Ordinal);
        Assert.Empty(_gitHub.RunnersIn(Scope));
        Assert.Empty(machine.Runner.Snapshot());
    }

    [Fact]
    public async Task Remove_WithRemoveToken_DeletesTheRunnerOnGitHubThenTheFiles()
    {
        using var machine = Machine(new RunnerLayout { Unit = null, Migrated = true });

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, _gitHub.IssueToken(FakeGitHubApi.RemoveKind, Scope), "remove");

        Assert.True(exitCode == 0, output);
        Assert.Empty(_gitHub.RunnersIn(Scope));
        Assert.Empty(machine.Runner.Snapshot());
        var delete = Assert.Single(_gitHub.Requests);
        Assert.Equal(("DELETE", "/orgs/my-org/actions/runners/42", "RemoteAuth", 204), (delete.Method, delete.Path, delete.AuthorizationScheme, delete.StatusCode));
    }

    [Fact]
    public async Task Remove_WithRegistrationToken_RefusedAndKeepsEverything()
    {
        using var machine = Machine(new RunnerLayout { Unit = null });
        var before = machine.Runner.Snapshot();

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), "remove");

        Assert.Equal(1, exitCode);
        Assert.Contains("Failed: Removing runner from the server", output, StringComparison.Ordinal);
        Assert.Single(_gitHub.RunnersIn(Scope));
        Assert.Equal(before.Keys, machine.Runner.Snapshot().Keys);
    }

    [Fact]
    public async Task Remove_RunnerAlreadyDeletedOnGitHub_FailsLikeTheRealOne()
    {
        using var machine = Machine(new RunnerLayout { Unit = null });
        _gitHub.RemoveRunner(Scope, "runner-1");

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, _gitHub.IssueToken(FakeGitHubApi.RemoveKind, Scope), "remove");

        Assert.Equal(1, exitCode);
        Assert.Contains("404 (Not Found)", output, StringComparison.Ordinal);
        Assert.True(File.Exists(machine.Runner.File(".runner")));
    }

    [Fact]
    public async Task Remove_Local_DeletesFilesWithoutCallingGitHub()
    {
        using var machine = Machine(new RunnerLayout { Migrated = true });

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, null, "remove", "--local");

        Assert.True(exitCode == 0, output);
        Assert.Equal([".service"], machine.Runner.Snapshot().Keys);
        Assert.Single(_gitHub.RunnersIn(Scope));
        Assert.Empty(_gitHub.Requests);
    }

    [Fact]
    public async Task Remove_WhileServiceExists_RefusedLikeTheRealOne()
    {
        using var machine = Machine();

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, _gitHub.IssueToken(FakeGitHubApi.RemoveKind, Scope), "remove");

        Assert.Equal(1, exitCode);
        Assert.Contains("Uninstall service first", output, StringComparison.Ordinal);
        Assert.True(File.Exists(machine.Runner.File(".runner")));
        Assert.Single(_gitHub.RunnersIn(Scope));
    }

    [Fact]
    public async Task Remove_FilesAlreadyMissing_SaysSoAndExits0()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, null, "remove");

        Assert.Equal(0, exitCode);
        Assert.Contains("Cannot connect to server, because config files are missing", output, StringComparison.Ordinal);
        Assert.Empty(_gitHub.Requests);
    }

    [Fact]
    public async Task Configure_WhenConfigured_RefusedLikeTheRealOne()
    {
        using var machine = Machine();

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-1", "--replace"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Cannot configure the runner because it is already configured", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configure_OnlyRunnerMigratedLeft_CountsAsConfigured()
    {
        using var machine = Machine(new RunnerLayout { Unit = null, Migrated = true });
        File.Delete(machine.Runner.File(".runner"));
        File.Delete(machine.Runner.File(".credentials"));

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-1", "--replace"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Cannot configure the runner because it is already configured", output, StringComparison.Ordinal);
        Assert.Empty(_gitHub.Requests);
    }

    [Fact]
    public async Task Configure_ExistingKey_ReusedAndRegisteredAsThePublicKey()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });
        const string Key = """{"d":"ZA==","dp":"ZA==","dq":"ZA==","exponent":"AQAB","inverseQ":"ZA==","modulus":"S0VQVC1LRVk=","p":"ZA==","q":"ZA=="}""";
        File.WriteAllText(machine.Runner.File(".credentials_rsaparams"), Key);

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-2"));

        Assert.True(exitCode == 0, output);
        Assert.Equal(Key, File.ReadAllText(machine.Runner.File(".credentials_rsaparams")));
        Assert.Equal("S0VQVC1LRVk=", _gitHub.FindRunner(Scope, "runner-2")!.PublicKeyModulus);
    }

    [Fact]
    public async Task Configure_FailsAfterMakingTheKey_LeavesTheKeyAndGitHubAlone()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });
        machine.Runner.ConfigSh.FailConfigurePartway();

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-2"));

        Assert.Equal(1, exitCode);
        Assert.Contains("InternalServerError", output, StringComparison.Ordinal);
        Assert.Equal([".credentials_rsaparams"], machine.Runner.Snapshot().Keys);
        Assert.Empty(_gitHub.RunnersIn(Scope));
    }

    [Fact]
    public async Task Configure_WithoutName_UsesTheMachineNameCutAtTheFirstDot()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });
        machine.SetMachineName("build7.ci.example.com");

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), "--unattended", "--url", "https://github.com/my-org");

        Assert.True(exitCode == 0, output);
        Assert.NotNull(_gitHub.FindRunner(Scope, "build7"));
        Assert.Equal("build7", machine.Runner.ReadRunnerProperty("agentName"));
    }

    [Fact]
    public async Task Configure_RegeneratesSvcShForTheUnitItWouldCompute()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });
        const string HandWritten = "#!/bin/bash\n# hand-written\n";
        File.WriteAllText(machine.Runner.File("svc.sh"), HandWritten);

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner 2"));

        Assert.True(exitCode == 0, output);
        var svc = File.ReadAllText(machine.Runner.File("svc.sh"));
        Assert.NotEqual(HandWritten, svc);
        Assert.Contains("SVC_NAME=\"actions.runner.my-org.runner 2.service\"", svc, StringComparison.Ordinal);
        Assert.True(File.GetUnixFileMode(machine.Runner.File("svc.sh")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task Configure_GhesUrl_CallsApiV3AndSaysNotHosted()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null, GitHubUrl = "https://ghes.example.com:8443/my-org" });

        var (exitCode, output) = await FakeProcess.ConfigShAsync(
            machine, Registration(), "--unattended", "--url", "https://ghes.example.com:8443/my-org", "--name", "runner-2");

        Assert.True(exitCode == 0, output);
        Assert.All(_gitHub.Requests, r => Assert.StartsWith(FakeGitHubApi.GhesPrefix + "/", r.Path, StringComparison.Ordinal));
        Assert.Equal("false", machine.Runner.ReadRunnerProperty("isHostedServer"));
        Assert.Contains("SVC_NAME=\"actions.runner._services.runner-2.service\"", File.ReadAllText(machine.Runner.File("svc.sh")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyRun_DoesWhatEnvShDoes()
    {
        using var machine = Machine(new RunnerLayout { Unit = null });
        File.WriteAllText(machine.Runner.File(".env"), "LANG=C.UTF-8\nMY_JAVA_HOME=/x\n");
        var environment = new Dictionary<string, string?>
        {
            ["LANG"] = "de_DE.UTF-8",
            ["JAVA_HOME"] = "/opt/java",
            ["GRADLE_HOME"] = "/opt/gradle",
            ["PERL5LIB"] = string.Empty,
        };

        var (exitCode, output) = await FakeProcess.RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["remove", "--local"], environment);

        Assert.True(exitCode == 0, output);
        Assert.Equal(machine.PathVariable + "\n", File.ReadAllText(machine.Runner.File(".path")));

        // LANG= is there; "JAVA_HOME=" is found inside MY_JAVA_HOME= (the real env.sh looks for the text anywhere); PERL5LIB is empty.
        Assert.Equal("LANG=C.UTF-8\nMY_JAVA_HOME=/x\nGRADLE_HOME=/opt/gradle\n", File.ReadAllText(machine.Runner.File(".env")));
    }

    [Fact]
    public async Task EveryRun_WritesItsOwnDiagLogInTheListenersFormat()
    {
        using var machine = Machine(new RunnerLayout { Unit = null });
        var before = machine.Runner.DiagLogs.Count;

        await FakeProcess.ConfigShAsync(machine, null, "remove", "--local");
        await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-1", "--replace"));
        await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-1", "--replace"));

        var logs = machine.Runner.DiagLogs;
        Assert.Equal(before + 3, logs.Count);
        Assert.All(logs, log => Assert.Matches(DiagFileName(), Path.GetFileName(log)));
        Assert.All(logs.SelectMany(File.ReadAllLines), line => Assert.Matches(DiagLine(), line));
        Assert.Contains(File.ReadAllLines(logs[^1]), l => l.Contains(" ERR  Terminal] WRITE ERROR: Cannot configure the runner because it is already configured", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.SelectMany(File.ReadAllLines), l => l.Contains("Connected to GitHub", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 0)]
    [InlineData("", 1)]
    [InlineData(null, 1)]
    public async Task AsRoot_RunnerAllowRunAsRoot_AnyNonEmptyValueAllows(string? allow, int expectedExitCode)
    {
        using var machine = Machine(new RunnerLayout { Unit = null });
        machine.Runner.ConfigSh.PretendUid(0);

        var (exitCode, output) = await FakeProcess.RunAsync(
            machine, machine.Runner.ConfigSh.ScriptPath, ["remove", "--local"], new Dictionary<string, string?> { ["RUNNER_ALLOW_RUNASROOT"] = allow });

        Assert.Equal(expectedExitCode, exitCode);
        Assert.Equal(expectedExitCode == 1, output.Contains("Must not run with sudo", StringComparison.Ordinal));
        var call = Assert.Single(machine.Runner.ConfigSh.Calls);
        Assert.Equal(allow, call.AllowRunAsRootValue);
        Assert.Equal(expectedExitCode == 0, call.AllowRunAsRoot);
    }

    [Fact]
    public async Task Options_FromActionsRunnerInputVariables_CaseInsensitiveAndFlagsNeedTrue()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });
        var token = Registration();
        var environment = new Dictionary<string, string?>
        {
            ["ACTIONS_RUNNER_INPUT_TOKEN"] = token,
            ["ACTIONS_RUNNER_INPUT_URL"] = "https://github.com/my-org",
            ["actions_runner_input_name"] = "from-env",
            ["ACTIONS_RUNNER_INPUT_UNATTENDED"] = "True",
            ["ACTIONS_RUNNER_INPUT_EPHEMERAL"] = "true",
            ["ACTIONS_RUNNER_INPUT_DISABLEUPDATE"] = "1",
            ["GITHUB_TOKEN"] = "ghp_NotForConfigSh",
        };

        var (exitCode, output) = await FakeProcess.RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, [], environment);

        Assert.True(exitCode == 0, output);
        var runner = _gitHub.FindRunner(Scope, "from-env")!;
        Assert.True(runner.Ephemeral);
        Assert.False(runner.DisableUpdate);
        var call = Assert.Single(machine.Runner.ConfigSh.Calls);
        Assert.True(call.TokenFromEnvironment);
        Assert.Equal(token, call.Token);
        Assert.Equal(
            ["ACTIONS_RUNNER_INPUT_DISABLEUPDATE", "ACTIONS_RUNNER_INPUT_EPHEMERAL", "ACTIONS_RUNNER_INPUT_UNATTENDED", "ACTIONS_RUNNER_INPUT_URL", "GITHUB_TOKEN", "actions_runner_input_name"],
            call.EnvironmentNames.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(token, machine.Runner.ConfigSh.RawRecord, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_NotForConfigSh", machine.Runner.ConfigSh.RawRecord, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownFlag_OnlyWarns()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });

        var (exitCode, output) = await FakeProcess.ConfigShAsync(machine, Registration(), FakeProcess.Configure("runner-2", "--shiny"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("Unrecognized command-line input arguments for command configure: 'shiny'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configure_NoApiConfigured_FailsLoudly()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });
        using var temp = new RunnerTokens.TestKit.TempDirectory();
        var directory = FakeRunnerDirectory.Create(temp.Combine("runner"), temp.Combine("control"), new RunnerLayout { Configured = false, Unit = null });

        var (exitCode, output) = await FakeProcess.RunAsync(machine, directory.ConfigSh.ScriptPath, FakeProcess.Configure("r"), new Dictionary<string, string?> { ["ACTIONS_RUNNER_INPUT_TOKEN"] = "T" });

        Assert.Equal(1, exitCode);
        Assert.Contains("no fake GitHub API is configured", output, StringComparison.Ordinal);
        Assert.Null(directory.ConfigSh.ApiUrl);
    }

    [Fact]
    public void UseApiAndSetMachineName_BadArguments_Throw()
    {
        using var machine = Machine(new RunnerLayout { Configured = false, Unit = null });

        Assert.Throws<ArgumentNullException>(() => machine.Runner.ConfigSh.UseApi(null!));
        Assert.Throws<ArgumentException>(() => machine.Runner.ConfigSh.SetMachineName(" "));
    }

    [GeneratedRegex(@"^Runner_\d{8}-\d{6}-utc\.log$")]
    private static partial Regex DiagFileName();

    [GeneratedRegex(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ (INFO|ERR |WARN|VERB) [A-Za-z]+\] ")]
    private static partial Regex DiagLine();

    private FakeRunnerMachine Machine(RunnerLayout? layout = null) => new(_gitHub, layout);

    private string Registration() => _gitHub.IssueToken(FakeGitHubApi.RegistrationKind, Scope);
}
