namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A bash <c>systemctl</c> that records its calls and keeps each unit active or inactive: <c>stop</c>, <c>start</c>,
/// <c>is-active</c> (prints the state; exit 0 only when active), system units and <c>--user</c> units apart.
/// A unit must be installed first (<see cref="Install"/>), or start and stop fail as for a unit that does not exist.
/// Failures are switched on with marker files.
/// </summary>
public sealed class FakeSystemctl
{
    private const string Script = """
        #!/bin/bash
        # Fake systemctl (RunnerTokens.TestKit).
        set -u
        STATE=__STATE__
        SEQUENCE=__SEQUENCE__
        printf '%s\n' "$*" >> "$STATE/calls.log"
        [ -n "$SEQUENCE" ] && printf 'systemctl %s\n' "$*" >> "$SEQUENCE"
        user=0; args=()
        for a in "$@"; do
          case "$a" in
            --user) user=1 ;;
            --no-ask-password|--quiet|-q) ;;
            *) args+=("$a") ;;
          esac
        done
        verb="${args[0]:-}"; unit="${args[1]:-}"
        dir="$STATE/system"; [ "$user" -eq 1 ] && dir="$STATE/user"
        mkdir -p "$dir"
        [ -f "$STATE/hang-$verb" ] && sleep 600
        if [ -f "$STATE/fail-$verb-once" ]; then cat "$STATE/fail-$verb-once" >&2; rm -f "$STATE/fail-$verb-once"; exit 1; fi
        if [ -f "$STATE/fail-$verb" ]; then cat "$STATE/fail-$verb" >&2; exit 1; fi
        case "$verb" in
          stop|start)
            if [ ! -f "$dir/$unit" ]; then echo "Failed to $verb $unit: Unit $unit not loaded." >&2; exit 5; fi
            if [ "$verb" = stop ]; then
              [ -f "$STATE/stay-active" ] || echo inactive > "$dir/$unit"
            elif [ -f "$STATE/start-fails" ]; then
              echo failed > "$dir/$unit"
            else
              echo active > "$dir/$unit"
              # As the runner's listener under the unit: a _diag log of its own, then listening, or a terminal exit.
              diag="$(cat "$dir/$unit.diag" 2>/dev/null || true)"
              if [ -n "$diag" ]; then
                stamp="$(date -u +%Y%m%d-%H%M%S%N)"; now="$(date -u '+%Y-%m-%d %H:%M:%S')Z"
                log="$diag/Runner_${stamp}-utc.log"
                printf "[%s INFO CommandSettings] Command 'run': 'True'\n" "$now" > "$log"
                if [ -f "$STATE/listener-dies" ]; then
                  printf '[%s ERR  Terminal] WRITE ERROR: %s\n' "$now" "$(cat "$STATE/listener-dies")" >> "$log"
                  # Active right after the fork; inactive (dead) once the listener gave up, seen from the next is-active on.
                  echo active-dying > "$dir/$unit"
                elif [ ! -f "$STATE/listener-silent" ]; then
                  printf '[%s INFO Terminal] WRITE LINE: %s: Listening for Jobs\n' "$now" "$now" >> "$log"
                fi
              fi
            fi
            ;;
          is-active)
            state="$(cat "$dir/$unit" 2>/dev/null || echo inactive)"
            if [ "$state" = active-dying ]; then state=active; echo inactive > "$dir/$unit"; fi
            echo "$state"
            [ "$state" = active ] && exit 0
            exit 3
            ;;
          *) echo "Unknown command verb '$verb'." >&2; exit 1 ;;
        esac
        exit 0
        """;

    private FakeSystemctl(string binDirectory, string stateDirectory, string? sequenceLog)
    {
        BinDirectory = binDirectory;
        StateDirectory = stateDirectory;
        Directory.CreateDirectory(binDirectory);
        Directory.CreateDirectory(stateDirectory);
        Path = System.IO.Path.Combine(binDirectory, "systemctl");
        ExecutableScript.Write(Path, Script
            .Replace("__STATE__", ExecutableScript.Quote(stateDirectory), StringComparison.Ordinal)
            .Replace("__SEQUENCE__", ExecutableScript.Quote(sequenceLog ?? string.Empty), StringComparison.Ordinal));
    }

    /// <summary>Gets the folder holding the script, to put first on a child process's PATH.</summary>
    public string BinDirectory { get; }

    /// <summary>Gets the script's path.</summary>
    public string Path { get; }

    /// <summary>Gets the folder with the fake's records, unit states and failure markers.</summary>
    public string StateDirectory { get; }

    /// <summary>Gets every call so far, as its arguments joined by spaces (<c>--user stop x.service</c>).</summary>
    public IReadOnlyList<string> Calls => ExecutableScript.ReadLines(System.IO.Path.Combine(StateDirectory, "calls.log"));

    /// <summary>Writes a fake <c>systemctl</c> into <paramref name="binDirectory"/>, keeping its state in <paramref name="stateDirectory"/>.</summary>
    /// <param name="binDirectory">Where the script goes.</param>
    /// <param name="stateDirectory">Where its records, unit states and markers go.</param>
    /// <param name="sequenceLog">A file shared with other fakes, to which each call is appended as <c>systemctl ARGS</c>; null for none.</param>
    /// <returns>The fake.</returns>
    public static FakeSystemctl Create(string binDirectory, string stateDirectory, string? sequenceLog = null) => new(binDirectory, stateDirectory, sequenceLog);

    /// <summary>Installs <paramref name="unit"/>, running or not; with <paramref name="diagDirectory"/>, each start writes a listener log there.</summary>
    public void Install(string unit, bool active = true, bool user = false, string? diagDirectory = null)
    {
        File.WriteAllText(UnitFile(unit, user), active ? "active\n" : "inactive\n");
        if (diagDirectory is not null)
        {
            File.WriteAllText(UnitFile(unit, user) + ".diag", diagDirectory);
        }
    }

    /// <summary>
    /// Makes the listener started by <c>start</c> log <paramref name="error"/> and exit: the unit is active right after
    /// the start (the first <c>is-active</c> says so), then inactive.
    /// </summary>
    public void ListenerDies(string error) => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "listener-dies"), error);

    /// <summary>Makes the listener started by <c>start</c> stay up without ever logging "Listening for Jobs".</summary>
    public void ListenerStaysSilent() => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "listener-silent"), string.Empty);

    /// <summary>Gets whether <paramref name="unit"/> is active.</summary>
    public bool IsActive(string unit, bool user = false) =>
        File.Exists(UnitFile(unit, user)) && File.ReadAllText(UnitFile(unit, user)).Trim() == "active";

    /// <summary>Makes <paramref name="verb"/> fail with <paramref name="message"/> on stderr, exit 1; always or once.</summary>
    public void Fail(string verb, string message, bool once = false) =>
        File.WriteAllText(System.IO.Path.Combine(StateDirectory, once ? $"fail-{verb}-once" : $"fail-{verb}"), message);

    /// <summary>Makes <c>stop</c> succeed without the unit ever becoming inactive.</summary>
    public void StayActiveOnStop() => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "stay-active"), string.Empty);

    /// <summary>Makes <c>start</c> succeed but leave the unit failed (its process exits at once).</summary>
    public void FailAfterStart() => File.WriteAllText(System.IO.Path.Combine(StateDirectory, "start-fails"), string.Empty);

    /// <summary>Makes <paramref name="verb"/> hang for ten minutes (until killed).</summary>
    public void Hang(string verb) => File.WriteAllText(System.IO.Path.Combine(StateDirectory, $"hang-{verb}"), string.Empty);

    /// <summary>Removes every failure marker.</summary>
    public void Heal()
    {
        foreach (var file in Directory.EnumerateFiles(StateDirectory).Where(f => !f.EndsWith("calls.log", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }
    }

    private string UnitFile(string unit, bool user)
    {
        var folder = System.IO.Path.Combine(StateDirectory, user ? "user" : "system");
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, unit);
    }
}
