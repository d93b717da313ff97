namespace RunnerTokens.Shared;

/// <summary>The runner writes its JSON files with a UTF-8 byte order mark, which the JSON reader does not accept.</summary>
/// <remarks>Shared source: compiled into Core, and linked into Systemd, where it stays internal.</remarks>
internal static class Utf8Bom
{
    /// <summary>The bytes after the byte order mark, if there is one; else all of them. Nothing is copied.</summary>
    public static ReadOnlyMemory<byte> Strip(ReadOnlyMemory<byte> bytes) =>
        bytes.Span.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
}
