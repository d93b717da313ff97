namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A bash <c>pkcheck</c> as strict as pkcheck(1) for what the refresher asks: <c>--action-id ACTION --process
/// PID[,START[,UID]] [--detail KEY VALUE]…</c>. The process must exist (and have that start time); a malformed command
/// line exits 126. Authorized: exit 0. Not authorized: exit 1 (<see cref="Deny"/>). By default, as polkit's
/// <c>auth_admin</c> for <c>org.freedesktop.systemd1.manage-units</c>: exit 2, authentication needed and no agent.
/// polkit unreachable (<see cref="MakeUnreachable"/>): exit 127. Records its calls.
/// </summary>
public sealed class FakePkcheck
{
    /// <summary>The polkit action that lets a user stop and start system units.</summary>
    public const string ManageUnits = "org.freedesktop.systemd1.manage-units";

    private const string Script = """
        #!/bin/bash
        # Fake pkcheck (RunnerTokens.TestKit).
        set -u
        STATE=__STATE__
        printf '%s\n' "$*" >> "$STATE/calls.log"
        action="" process="" unit="" verb=""
        while [ $# -gt 0 ]; do
          case "$1" in
            -a|--action-id) [ $# -ge 2 ] || { echo "pkcheck: --action-id needs a value" >&2; exit 126; }; action="$2"; shift 2 ;;
            -p|--process) [ $# -ge 2 ] || { echo "pkcheck: --process needs a value" >&2; exit 126; }; process="$2"; shift 2 ;;
            -d|--detail)
              [ $# -ge 3 ] || { echo "pkcheck: --detail needs a key and a value" >&2; exit 126; }
              case "$2" in unit) unit="$3" ;; verb) verb="$3" ;; esac
              shift 3 ;;
            -u|--allow-user-interaction|--enable-internal-agent) shift ;;
            *) echo "pkcheck: unknown option $1" >&2; exit 126 ;;
          esac
        done
        [ -n "$action" ] || { echo "pkcheck: Action not specified" >&2; exit 126; }
        [ -n "$process" ] || { echo "pkcheck: Subject not specified" >&2; exit 126; }
        [[ "$process" =~ ^[0-9]+(,[0-9]+(,[0-9]+)?)?$ ]] || { echo "pkcheck: Invalid --process value '$process'" >&2; exit 126; }
        IFS=, read -r pid start uid <<< "$process"
        if [ ! -r "/proc/$pid/stat" ]; then
          echo "Error checking for authorization $action: GDBus.Error:org.freedesktop.PolicyKit1.Error.Failed: No such process for pid $pid" >&2; exit 127
        fi
        if [ -n "${start:-}" ]; then
          actual="$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f20)"
          if [ "$actual" != "$start" ]; then
            echo "Error checking for authorization $action: GDBus.Error:org.freedesktop.PolicyKit1.Error.Failed: Start time of pid $pid is $actual, not $start" >&2; exit 127
          fi
        fi
        if [ -f "$STATE/unreachable" ]; then
          echo "Error checking for authorization $action: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.PolicyKit1 was not provided by any .service files" >&2
          exit 127
        fi
        if [ -f "$STATE/allow" ] && grep -qxF "$action $verb $unit" "$STATE/allow"; then exit 0; fi
        if [ -f "$STATE/deny" ]; then echo "Not authorized." >&2; exit 1; fi
        echo "Authorization requires authentication but no agent is available." >&2
        exit 2
        """;

    private FakePkcheck(string binDirectory, string stateDirectory)
    {
        StateDirectory = stateDirectory;
        Directory.CreateDirectory(binDirectory);
        Directory.CreateDirectory(stateDirectory);
        Path = System.IO.Path.Combine(binDirectory, "pkcheck");
        ExecutableScript.Write(Path, Script.Replace("__STATE__", ExecutableScript.Quote(stateDirectory), StringComparison.Ordinal));
    }

    /// <summary>Gets the script's path.</summary>
    public string Path { get; }

    /// <summary>Gets the folder with the fake's records and rules.</summary>
    public string StateDirectory { get; }

    /// <summary>Gets every call so far, as its arguments joined by spaces.</summary>
    public IReadOnlyList<string> Calls => ExecutableScript.ReadLines(System.IO.Path.Combine(StateDirectory, "calls.log"));

    /// <summary>Writes a fake <c>pkcheck</c> into <paramref name="binDirectory"/>, keeping its records in <paramref name="stateDirectory"/>.</summary>
    public static FakePkcheck Create(string binDirectory, string stateDirectory) => new(binDirectory, stateDirectory);

    /// <summary>Authorizes <paramref name="verb"/> of <paramref name="unit"/> for the manage-units action, as a polkit rule does.</summary>
    public void Allow(string verb, string unit) =>
        File.AppendAllText(System.IO.Path.Combine(StateDirectory, "allow"), $"{ManageUnits} {verb} {unit}\n");

    /// <summary>Makes what is not allowed "not authorized" (exit 1) rather than "authentication needed" (exit 2).</summary>
    public void Deny() => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "deny"), string.Empty);

    /// <summary>Makes every call fail as when polkitd is not running (exit 127).</summary>
    public void MakeUnreachable() => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "unreachable"), string.Empty);
}
