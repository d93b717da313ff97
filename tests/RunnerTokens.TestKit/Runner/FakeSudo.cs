namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A bash <c>sudo</c> that records its calls and runs the rest of its command line, found on the PATH it was given;
/// like <c>sudo -n</c> without a sudoers rule, it can refuse ("a password is required"). <c>sudo -l CMD</c> prints the
/// command's full path and exits 0 when allowed, 1 when not; under no-new-privileges it refuses everything, as sudo does.
/// </summary>
public sealed class FakeSudo
{
    private const string Script = """
        #!/bin/bash
        # Fake sudo (RunnerTokens.TestKit), as strict as sudo(8) for what the refresher uses: -n, and -l with a command.
        set -u
        LOG=__LOG__
        printf '%s\n' "$*" >> "$LOG/calls.log"
        # A setuid program is not setuid under no-new-privileges: real sudo then refuses every call, -l included.
        if grep -q '^NoNewPrivs:[[:space:]]*1' /proc/self/status; then
          echo 'sudo: The "no new privileges" flag is set, which prevents sudo from running as root.' >&2
          echo 'sudo: If sudo is running in a container, you may need to adjust the container configuration to disable the flag.' >&2
          exit 1
        fi
        list=0
        while [ $# -gt 0 ]; do
          case "$1" in
            -n|--non-interactive) shift ;;
            -l|--list) list=1; shift ;;
            --) shift; break ;;
            -*) echo "fake sudo: unsupported option $1" >&2; exit 1 ;;
            *) break ;;
          esac
        done
        if [ -f "$LOG/deny" ]; then
          if [ "$list" -eq 1 ] && [ $# -gt 0 ] && [ ! -s "$LOG/deny" ]; then
            # sudo -l CMD without a matching rule: the policy says no, exit 1.
            echo "Sorry, user $(id -un) is not allowed to execute '$*' as root on ${HOSTNAME:-localhost}." >&2
            exit 1
          fi
          echo "sudo: a password is required" >&2; exit 1
        fi
        if [ "$list" -eq 1 ]; then
          if [ $# -eq 0 ]; then echo "fake sudo: -l without a command is not supported" >&2; exit 1; fi
          # sudo -l CMD: the command's full path and its arguments, exit 0, nothing run.
          program="$(command -v "$1" || true)"
          if [ -z "$program" ]; then echo "sudo: $1: command not found" >&2; exit 1; fi
          shift
          echo "$program${*:+ $*}"
          exit 0
        fi
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

    /// <summary>
    /// Makes every call fail as <c>sudo -n</c> does without a matching sudoers rule: a command is refused ("a password
    /// is required"), and <c>sudo -n -l CMD</c> says the user is not allowed to run it, exit 1.
    /// </summary>
    public void Deny() => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "deny"), string.Empty);

    /// <summary>Makes every call, <c>-l</c> included, fail as <c>sudo -n</c> does when the rule exists but asks for a password.</summary>
    public void RequirePassword() => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "deny"), "password");
}
