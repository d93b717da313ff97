using System.Text;

namespace RunnerTokens.Tests;

/// <summary>A runner directory in a temp folder, with the files a registered runner has (UTF-8 with BOM).</summary>
internal sealed class RunnerDirectory : IDisposable
{
    public const string RunnerJson = """
        {
          "agentId": 7,
          "agentName": "NAME",
          "poolId": 1,
          "poolName": "Default",
          "serverUrl": "https://pipelines.actions.githubusercontent.com/abc/",
          "gitHubUrl": "https://github.com/acme",
          "workFolder": "_work"
        }
        """;

    public const string CredentialsJson = """
        {
          "scheme": "OAuth",
          "data": {
            "clientId": "6a1b0f0e-94e4-4fd0-9d0c-0b7d2c3c0001",
            "authorizationUrl": "https://pipelines.actions.githubusercontent.com/abc/_apis/oauth2/token",
            "requireFipsCryptography": "False"
          }
        }
        """;

    private readonly TestKit.TempDirectory _temp = new("runner");

    public RunnerDirectory(bool registered = true, string name = "runner-1")
    {
        Name = name;
        Registered = registered;
        Path = _temp.Combine("actions-runner");
        Directory.CreateDirectory(Path);
        if (registered)
        {
            Write(".runner", RunnerJson.Replace("NAME", name, StringComparison.Ordinal));
            Write(".credentials", CredentialsJson);
        }
    }

    public string Path { get; }

    /// <summary>Gets the name the runner is registered under (its <c>.runner</c>'s agentName).</summary>
    public string Name { get; }

    /// <summary>Gets a value indicating whether the directory was laid out registered.</summary>
    public bool Registered { get; }

    public string Root => _temp.Path;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a file as the runner does: UTF-8 with a byte order mark.</summary>
    public void Write(string name, string content) =>
        System.IO.File.WriteAllText(File(name), content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

    public void Dispose() => _temp.Dispose();
}
