namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A bash <c>sudo</c> that records its calls and runs the rest of its command line, found on the PATH it was given;
/// like <c>sudo -n</c> without a sudoers rule, it can refuse ("a password is required").
/// </summary>
public sealed class FakeSudo
{
    private const string Script = """
        #!/bin/bash
        # Fake sudo (RunnerTokens.TestKit).
        set -u
        LOG=__LOG__
        printf '%s\n' "$*" >> "$LOG/calls.log"
        if [ -f "$LOG/deny" ]; then echo "sudo: a password is required" >&2; exit 1; fi
        while [ $# -gt 0 ]; do
          case "$1" in
            -n|--non-interactive) shift ;;
            -*) echo "fake sudo: unsupported option $1" >&2; exit 1 ;;
            *) break ;;
          esac
        done
        exec "$@"
        """;

    private FakeSudo(string binDirectory, string stateDirectory)
    {
        StateDirectory = stateDirectory;
        Directory.CreateDirectory(binDirectory);
        Directory.CreateDirectory(stateDirectory);
        Path = System.IO.Path.Combine(binDirectory, "sudo");
        ExecutableScript.Write(Path, Script.Replace("__LOG__", ExecutableScript.Quote(stateDirectory), StringComparison.Ordinal));
    }

    /// <summary>Gets the script's path.</summary>
    public string Path { get; }

    /// <summary>Gets the folder with the fake's records.</summary>
    public string StateDirectory { get; }

    /// <summary>Gets every call so far, as its arguments joined by spaces (<c>-n systemctl stop x.service</c>).</summary>
    public IReadOnlyList<string> Calls => ExecutableScript.ReadLines(System.IO.Path.Combine(StateDirectory, "calls.log"));

    /// <summary>Writes a fake <c>sudo</c> into <paramref name="binDirectory"/>, keeping its records in <paramref name="stateDirectory"/>.</summary>
    public static FakeSudo Create(string binDirectory, string stateDirectory) => new(binDirectory, stateDirectory);

    /// <summary>Makes every call fail as <c>sudo -n</c> does without a matching sudoers rule.</summary>
    public void Deny() => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "deny"), string.Empty);
}
