using System.Text;

namespace RunnerTokens.Systemd;

/// <summary>One command to run: program, arguments, its own environment variables (secret ones masked when shown).</summary>
/// <param name="Program">The program: a name looked up on <c>PATH</c>, or a path.</param>
/// <param name="Arguments">The arguments; never a secret.</param>
/// <param name="Environment">Variables set for this command only (a null value removes an inherited one).</param>
/// <param name="SecretVariables">Names in <paramref name="Environment"/> whose values are secrets.</param>
internal sealed record CommandSpec(
    string Program,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string?> Environment,
    IReadOnlyCollection<string> SecretVariables)
{
    public static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    /// <summary>Gets the folder the command runs in; <see langword="null"/> for the refresher's own.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Gets what the command is for, in a few words with no secret (<c>systemctl stop x.service</c>), for a log line while it runs; by default the program's file name.</summary>
    public string Summary { get; init; } = System.IO.Path.GetFileName(Program);

    /// <summary>The command as a shell would take it, with its own variables in front and secrets as <c>***</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in Environment)
        {
            if (value is null)
            {
                continue;
            }

            text.Append(name).Append('=').Append(SecretVariables.Contains(name) ? SecretMasker.Mask : ShellQuote(value)).Append(' ');
        }

        text.Append(ShellQuote(Program));
        foreach (var argument in Arguments)
        {
            text.Append(' ').Append(ShellQuote(argument));
        }

        return text.ToString();
    }

    internal static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@+%".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
