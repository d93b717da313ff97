using System.Text;
using System.Text.Json;

namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A runner directory laid out as the real runner leaves it (RUNNER-FACTS.md): <c>.runner</c> and <c>.credentials</c>
/// as indented JSON with a UTF-8 BOM, <c>.credentials_rsaparams</c> mode 600, <c>.service</c>, <c>.env</c>,
/// <c>.path</c>, <c>_diag/</c>, and a fake <see cref="ConfigSh"/>.
/// </summary>
public sealed class FakeRunnerDirectory
{
    /// <summary>The registration files and <c>.service</c>, as a snapshot compares them.</summary>
    public static readonly IReadOnlyList<string> RegistrationFiles =
        [".runner", ".credentials", ".credentials_rsaparams", ".runner_migrated", ".credentials_migrated", ".service"];

    private static readonly byte[] _bom = [0xEF, 0xBB, 0xBF];

    private FakeRunnerDirectory(string path, string controlDirectory, RunnerLayout layout, string? sequenceLog)
    {
        Path = path;
        Layout = layout;
        Directory.CreateDirectory(path);
        Directory.CreateDirectory(DiagDirectory);
        ConfigSh = new FakeConfigSh(System.IO.Path.Combine(path, "config.sh"), controlDirectory, sequenceLog);
        System.IO.File.WriteAllText(System.IO.Path.Combine(path, ".env"), "LANG=C.UTF-8\n");
        System.IO.File.WriteAllText(System.IO.Path.Combine(path, ".path"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");

        // As config.sh left it (hand-edited since, as operators do): configure regenerates it, a refresh must not.
        System.IO.File.WriteAllText(System.IO.Path.Combine(path, "svc.sh"), "#!/bin/bash\n# svc.sh as the operator left it\nSVC_NAME=\"actions.runner.hand-edited.service\"\n");
        if (layout.Configured)
        {
            WriteRegistration(layout);
        }

        if (layout.Unit is { } unit)
        {
            System.IO.File.WriteAllText(ServiceFile, unit + "\n");
        }
    }

    /// <summary>Gets the runner directory.</summary>
    public string Path { get; }

    /// <summary>Gets what the directory was created with.</summary>
    public RunnerLayout Layout { get; }

    /// <summary>Gets the fake <c>config.sh</c> in the directory.</summary>
    public FakeConfigSh ConfigSh { get; }

    /// <summary>Gets <c>_diag</c>, where the listener writes its logs.</summary>
    public string DiagDirectory => System.IO.Path.Combine(Path, "_diag");

    /// <summary>Gets the <c>_diag/Runner_*.log</c> files, oldest name first (config.sh runs and listener starts each add one).</summary>
    public IReadOnlyList<string> DiagLogs =>
        Directory.Exists(DiagDirectory) ? [.. Directory.GetFiles(DiagDirectory, "Runner_*.log").Order(StringComparer.Ordinal)] : [];

    /// <summary>Gets the path of <c>.service</c>.</summary>
    public string ServiceFile => System.IO.Path.Combine(Path, ".service");

    /// <summary>
    /// Lays out a registered runner in <paramref name="path"/>; the fake config.sh keeps its records in
    /// <paramref name="controlDirectory"/> (outside the runner directory, so they are no part of a snapshot).
    /// </summary>
    /// <param name="path">The runner directory to create.</param>
    /// <param name="controlDirectory">Where the fake config.sh keeps its records and failure markers.</param>
    /// <param name="layout">What to lay out; a registered service runner by default.</param>
    /// <param name="sequenceLog">A file shared with other fakes, to which each run is appended as <c>config.sh ARGS</c>; null for none.</param>
    /// <returns>The directory.</returns>
    public static FakeRunnerDirectory Create(string path, string controlDirectory, RunnerLayout? layout = null, string? sequenceLog = null) =>
        new(path, controlDirectory, layout ?? new RunnerLayout(), sequenceLog);

    /// <summary>Gets a file of the runner directory by name (<c>.runner</c>).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Reads the registration files and <c>.service</c> that exist, byte for byte.</summary>
    public IReadOnlyDictionary<string, byte[]> Snapshot() =>
        RegistrationFiles.Where(name => System.IO.File.Exists(File(name))).ToDictionary(name => name, name => System.IO.File.ReadAllBytes(File(name)));

    /// <summary>Reads a property of <c>.runner</c> as text (BOM skipped); null when the file or property is missing.</summary>
    public string? ReadRunnerProperty(string name)
    {
        if (!System.IO.File.Exists(File(".runner")))
        {
            return null;
        }

        var bytes = System.IO.File.ReadAllBytes(File(".runner"));
        var json = bytes.AsSpan().StartsWith(_bom) ? bytes[3..] : bytes;
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
    }

    /// <summary>Writes a listener log <c>_diag/Runner_{stamp}-utc.log</c> with the given lines, modified at <paramref name="lastWriteUtc"/>.</summary>
    public string WriteDiagLog(DateTimeOffset startedAt, IEnumerable<string> lines, DateTimeOffset? lastWriteUtc = null)
    {
        var path = System.IO.Path.Combine(DiagDirectory, $"Runner_{startedAt.UtcDateTime:yyyyMMdd-HHmmss}-utc.log");
        System.IO.File.WriteAllText(path, string.Join('\n', lines) + "\n", new UTF8Encoding(false));
        System.IO.File.SetLastWriteTimeUtc(path, (lastWriteUtc ?? startedAt).UtcDateTime);
        return path;
    }

    /// <summary>A listener log line as the runner writes it: <c>[2026-11-25 12:00:02Z INFO Runner] text</c>.</summary>
    public static string DiagLine(DateTimeOffset at, string text, string level = "INFO") =>
        $"[{at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z {level} Runner] {text}";

    /// <summary>Sets the modification time of a file of the runner directory (the time of the last registration, for <c>.runner</c>).</summary>
    public void Touch(string name, DateTimeOffset at) => System.IO.File.SetLastWriteTimeUtc(File(name), at.UtcDateTime);

    private void WriteRegistration(RunnerLayout layout)
    {
        WriteJsonWithBom(File(".runner"), writer =>
        {
            writer.WriteNumber("agentId", layout.AgentId);
            writer.WriteString("agentName", layout.Name);
            writer.WriteNumber("poolId", layout.PoolId);
            writer.WriteString("poolName", layout.PoolName);
            if (layout.DisableUpdate)
            {
                writer.WriteBoolean("disableUpdate", true);
            }

            if (layout.Ephemeral)
            {
                writer.WriteBoolean("ephemeral", true);
            }

            writer.WriteString("serverUrl", "https://pipelines.actions.githubusercontent.com/FAKEfakeFAKEfake/");
            writer.WriteString("gitHubUrl", layout.GitHubUrl);
            writer.WriteString("workFolder", layout.WorkFolder);
            if (layout.MonitorSocketAddress is { } monitor)
            {
                writer.WriteString("monitorSocketAddress", monitor);
            }

            writer.WriteBoolean("useV2Flow", true);
            writer.WriteBoolean("useRunnerAdminFlow", true);
            writer.WriteString("serverUrlV2", "https://broker.actions.githubusercontent.com/");
        });
        WriteJsonWithBom(File(".credentials"), WriteCredentials);
        System.IO.File.WriteAllText(
            File(".credentials_rsaparams"),
            $$"""{"d":"ZmFrZQ==","dp":"ZmFrZQ==","dq":"ZmFrZQ==","exponent":"AQAB","inverseQ":"ZmFrZQ==","modulus":"{{KeyModulus(layout)}}","p":"ZmFrZQ==","q":"ZmFrZQ=="}""");
        System.IO.File.SetUnixFileMode(File(".credentials_rsaparams"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (layout.Migrated)
        {
            WriteJsonWithBom(File(".runner_migrated"), writer =>
            {
                writer.WriteNumber("agentId", layout.AgentId);
                writer.WriteString("agentName", layout.Name);
                writer.WriteString("serverUrl", "https://pipelines.actions.githubusercontent.com/MIGRATEDmigrated/");
            });
            WriteJsonWithBom(File(".credentials_migrated"), WriteCredentials);
        }
    }

    /// <summary>Reads the modulus of <c>.credentials_rsaparams</c> (the public half GitHub knows), or null.</summary>
    public string? ReadKeyModulus()
    {
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(File(".credentials_rsaparams")));
            return document.RootElement.TryGetProperty("modulus", out var modulus) ? modulus.GetString() : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>A key per runner, so that one runner's key never passes for another's.</summary>
    private static string KeyModulus(RunnerLayout layout) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"fake-key:{layout.AgentId}:{layout.Name}")));

    private static void WriteCredentials(Utf8JsonWriter writer)
    {
        writer.WriteString("scheme", "OAuth");
        writer.WriteStartObject("data");
        writer.WriteString("clientId", "00000000-0000-4000-8000-000000000042");
        writer.WriteString("authorizationUrl", "https://pipelines.actions.githubusercontent.com/FAKEfakeFAKEfake/_apis/oauth2/token");
        writer.WriteString("requireFipsCryptography", "False");
        writer.WriteEndObject();
    }

    private static void WriteJsonWithBom(string path, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        stream.Write(_bom);
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        System.IO.File.WriteAllBytes(path, stream.ToArray());
    }
}
