using System.Buffers.Binary;
using System.Text;

namespace RunnerTokens.TestKit.Telemetry;

/// <summary>A span as an OTLP collector decodes it from <c>ExportTraceServiceRequest</c>.</summary>
public sealed record OtlpSpan(
    IReadOnlyDictionary<string, string> Resource,
    string Scope,
    string Name,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    IReadOnlyDictionary<string, string> Attributes,
    int StatusCode,
    string StatusMessage);

/// <summary>One data point of a sum or gauge as an OTLP collector decodes it from <c>ExportMetricsServiceRequest</c>.</summary>
public sealed record OtlpPoint(
    IReadOnlyDictionary<string, string> Resource,
    string Scope,
    string Metric,
    string Unit,
    string Kind,
    int Temporality,
    bool Monotonic,
    IReadOnlyDictionary<string, string> Attributes,
    double Value);

/// <summary>
/// Decodes the OTLP/HTTP protobuf bodies of opentelemetry-proto (v1) as far as the engine's telemetry goes: resources,
/// scopes, spans (names, ids, attributes, status), sums and gauges of numbers. Strict: a malformed field, a wire type
/// that does not match the field's type or a body cut short throws <see cref="FormatException"/>; fields it does not
/// know are skipped, as protobuf wants.
/// </summary>
public static class OtlpProtobuf
{
    /// <summary>Field numbers: opentelemetry/proto/trace/v1/trace.proto and collector/trace/v1/trace_service.proto.</summary>
    public static IReadOnlyList<OtlpSpan> DecodeTraces(byte[] body)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Messages(body, 1))
        {
            var resource = Resource(resourceSpans);
            foreach (var scopeSpans in Messages(resourceSpans, 2))
            {
                var scope = Scope(scopeSpans);
                foreach (var span in Messages(scopeSpans, 2))
                {
                    var status = Messages(span, 15).SingleOrDefault();
                    spans.Add(new OtlpSpan(
                        resource,
                        scope,
                        Text(span, 5),
                        Hex(span, 1),
                        Hex(span, 2),
                        Hex(span, 4),
                        Attributes(span, 9),
                        status is null ? 0 : (int)Varint(status, 3),
                        status is null ? string.Empty : Text(status, 2)));
                }
            }
        }

        return spans;
    }

    /// <summary>Field numbers: opentelemetry/proto/metrics/v1/metrics.proto and collector/metrics/v1/metrics_service.proto.</summary>
    public static IReadOnlyList<OtlpPoint> DecodeMetrics(byte[] body)
    {
        var points = new List<OtlpPoint>();
        foreach (var resourceMetrics in Messages(body, 1))
        {
            var resource = Resource(resourceMetrics);
            foreach (var scopeMetrics in Messages(resourceMetrics, 2))
            {
                var scope = Scope(scopeMetrics);
                foreach (var metric in Messages(scopeMetrics, 2))
                {
                    var name = Text(metric, 1);
                    var unit = Text(metric, 3);
                    foreach (var (kind, data) in Messages(metric, 5).Select(d => ("gauge", d)).Concat(Messages(metric, 7).Select(d => ("sum", d))))
                    {
                        var temporality = kind == "sum" ? (int)Varint(data, 2) : 0;
                        var monotonic = kind == "sum" && Varint(data, 3) == 1;
                        foreach (var point in Messages(data, 1))
                        {
                            var fields = Fields(point).ToList();
                            double value = fields.SingleOrDefault(f => f.Number == 4) is { Wire: 1 } asDouble ? BitConverter.Int64BitsToDouble((long)asDouble.Fixed)
                                : fields.SingleOrDefault(f => f.Number == 6) is { Wire: 1 } asInt ? (long)asInt.Fixed
                                : throw new FormatException($"metric {name}: a data point with neither as_double nor as_int");
                            points.Add(new OtlpPoint(resource, scope, name, unit, kind, temporality, monotonic, Attributes(point, 7), value));
                        }
                    }
                }
            }
        }

        return points;
    }

    private static Dictionary<string, string> Resource(byte[] parent) =>
        Messages(parent, 1).SingleOrDefault() is { } resource ? Attributes(resource, 1) : [];

    private static string Scope(byte[] parent) => Messages(parent, 1).SingleOrDefault() is { } scope ? Text(scope, 1) : string.Empty;

    /// <summary>KeyValue { string key = 1; AnyValue value = 2 }; AnyValue's string, bool, int and double shown as text.</summary>
    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Messages(message, field))
        {
            var key = Text(pair, 1);
            var value = Messages(pair, 2).SingleOrDefault() is { } any ? AnyValue(any) : string.Empty;
            if (!attributes.TryAdd(key, value))
            {
                throw new FormatException($"attribute {key} given twice");
            }
        }

        return attributes;
    }

    private static string AnyValue(byte[] any)
    {
        var field = Fields(any).SingleOrDefault();
        return field.Number switch
        {
            0 => string.Empty,
            1 => Encoding.UTF8.GetString(Expect(field, 2).Bytes!),
            2 => (Expect(field, 0).Fixed != 0).ToString(),
            3 => ((long)Expect(field, 0).Fixed).ToString(System.Globalization.CultureInfo.InvariantCulture),
            4 => BitConverter.Int64BitsToDouble((long)Expect(field, 1).Fixed).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => $"(AnyValue field {field.Number})",
        };
    }

    private static IEnumerable<byte[]> Messages(byte[] message, int number) =>
        Fields(message).Where(f => f.Number == number).Select(f => Expect(f, 2).Bytes!).ToList();

    private static string Text(byte[] message, int number) =>
        Fields(message).LastOrDefault(f => f.Number == number) is { Number: > 0 } f ? Encoding.UTF8.GetString(Expect(f, 2).Bytes!) : string.Empty;

    private static string Hex(byte[] message, int number) =>
        Fields(message).LastOrDefault(f => f.Number == number) is { Number: > 0 } f ? Convert.ToHexStringLower(Expect(f, 2).Bytes!) : string.Empty;

    private static ulong Varint(byte[] message, int number) =>
        Fields(message).LastOrDefault(f => f.Number == number) is { Number: > 0 } f ? Expect(f, 0).Fixed : 0;

    private static Field Expect(Field field, int wire) =>
        field.Wire == wire ? field : throw new FormatException($"field {field.Number} has wire type {field.Wire}, expected {wire}");

    /// <summary>The fields of one message, in order: wire types 0 (varint), 1 (64-bit), 2 (length-delimited), 5 (32-bit).</summary>
    private static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var number = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            if (number == 0)
            {
                throw new FormatException("field number 0");
            }

            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, ReadVarint(message, ref position), null));
                    break;
                case 1:
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(Take(message, ref position, 8)), null));
                    break;
                case 2:
                    var length = ReadVarint(message, ref position);
                    if (length > (ulong)(message.Length - position))
                    {
                        throw new FormatException($"field {number}: length {length} runs past the end");
                    }

                    fields.Add(new Field(number, wire, 0, Take(message, ref position, (int)length).ToArray()));
                    break;
                case 5:
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(Take(message, ref position, 4)), null));
                    break;
                default:
                    throw new FormatException($"field {number}: wire type {wire} is not used by OTLP");
            }
        }

        return fields;
    }

    private static ReadOnlySpan<byte> Take(byte[] message, ref int position, int count)
    {
        if (message.Length - position < count)
        {
            throw new FormatException("the message is cut short");
        }

        var span = message.AsSpan(position, count);
        position += count;
        return span;
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= message.Length)
            {
                throw new FormatException("a varint is cut short");
            }

            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("a varint longer than 10 bytes");
    }

    private readonly record struct Field(int Number, int Wire, ulong Fixed, byte[]? Bytes);
}
