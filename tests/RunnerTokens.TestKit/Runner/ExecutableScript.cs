using System.Text;

namespace RunnerTokens.TestKit.Runner;

internal static class ExecutableScript
{
    public const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static void Write(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal), new UTF8Encoding(false));
        File.SetUnixFileMode(path, Executable);
    }

    /// <summary>Reads a fake program shipped in this assembly (<c>Runner/Scripts/NAME</c>).</summary>
    public static string Load(string name)
    {
        using var stream = typeof(ExecutableScript).Assembly.GetManifestResourceStream("RunnerTokens.TestKit.Scripts." + name)
            ?? throw new InvalidOperationException($"the script {name} is not embedded in the test kit");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Quotes a path for a bash single-quoted string.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static IReadOnlyList<string> ReadLines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToList() : [];
}
