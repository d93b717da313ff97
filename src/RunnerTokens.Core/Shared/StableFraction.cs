using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RunnerTokens.Shared;

/// <summary>
/// A fraction in [0, 1) drawn from a text (the first 53 bits of its SHA-256): as spread as a random draw over texts that
/// differ in one character, and the same in every process, so a jitter drawn from it spreads a fleet's runners yet
/// repeats in a timer or cron run and in a simulated day.
/// </summary>
/// <remarks>Shared source: compiled into Core, and linked into GitHub, where it stays internal.</remarks>
internal static class StableFraction
{
    public static double Of(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return (BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }
}
