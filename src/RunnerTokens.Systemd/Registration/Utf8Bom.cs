namespace RunnerTokens.Systemd;

internal static class Utf8Bom
{
    /// <summary>The runner writes its JSON with a UTF-8 byte order mark, which the JSON reader does not accept.</summary>
    public static ReadOnlyMemory<byte> Strip(byte[] bytes) =>
        bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsMemory(3) : bytes.AsMemory();
}
