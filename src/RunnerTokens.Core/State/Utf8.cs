namespace RunnerTokens.State;

internal static class Utf8
{
    /// <summary>The runner writes its JSON files with a UTF-8 byte order mark, which the JSON reader does not accept.</summary>
    public static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
}
