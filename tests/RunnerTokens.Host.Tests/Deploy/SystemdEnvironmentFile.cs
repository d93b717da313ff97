namespace RunnerTokens.Host.Tests.Deploy;

/// <summary>
/// Reads an <c>EnvironmentFile=</c> the way systemd does for the simple lines this project ships (systemd.exec(5)):
/// blank lines and lines starting with <c>#</c> or <c>;</c> are skipped, every other line is <c>NAME=value</c>, and a
/// value in double or single quotes loses them. It refuses what would read differently under systemd and
/// <c>sh</c>'s <c>set -a; . file</c>: a name that is not a shell variable name, an unquoted value with a space,
/// <c>#</c>, quote, backslash, <c>$</c> or backtick (systemd keeps <c>x  # text</c> whole as the value; sh does not),
/// and a quoted value with a backslash, <c>$</c> or backtick.
/// </summary>
internal static class SystemdEnvironmentFile
{
    private static readonly System.Text.RegularExpressions.Regex _name = new("^[A-Za-z_][A-Za-z0-9_]*$");

    /// <summary>The variables of the file at <paramref name="path"/>, in order; later lines beat earlier ones.</summary>
    public static Dictionary<string, string> Read(string path) => Parse(File.ReadAllText(path));

    /// <summary>The variables of <paramref name="text"/>.</summary>
    public static Dictionary<string, string> Parse(string text)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !_name.IsMatch(line[..equals]))
            {
                throw new FormatException($"line {number}: '{line}' is not NAME=value with NAME a shell variable name");
            }

            variables[line[..equals]] = Value(line[(equals + 1)..], number);
        }

        return variables;
    }

    private static string Value(string value, int number)
    {
        if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
        {
            var inner = value[1..^1];
            if (inner.IndexOfAny(['"', '\'', '\\', '$', '`']) >= 0)
            {
                throw new FormatException($"line {number}: quoted value '{value}' has a character that systemd and sh read differently");
            }

            return inner;
        }

        if (value.IndexOfAny([' ', '\t', '#', '"', '\'', '\\', '$', '`', ';', '&', '|', '<', '>', '(', ')']) >= 0)
        {
            throw new FormatException($"line {number}: unquoted value '{value}' has a space, '#', quote or shell character; systemd and sh read it differently");
        }

        return value;
    }
}
