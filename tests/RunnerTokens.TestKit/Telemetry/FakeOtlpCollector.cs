using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RunnerTokens.TestKit.Telemetry;

/// <summary>One request the fake collector received, with the status it answered.</summary>
public sealed record OtlpRequest(string Method, string Path, string? ContentType, string? ContentEncoding, byte[] Body, int Status);

/// <summary>
/// A fake OpenTelemetry collector on 127.0.0.1: OTLP/HTTP with protobuf bodies (<c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>),
/// on a plain <see cref="TcpListener"/> speaking HTTP/1.1 (keep-alive, Content-Length or chunked bodies). As strict as
/// the collector's OTLP receiver: only <c>POST /v1/traces</c> and <c>POST /v1/metrics</c> (else 404 or 405), only
/// <c>Content-Type: application/x-protobuf</c> (else 415), a body that decodes as the request of its path (else 400);
/// an accepted request is answered 200 with an empty protobuf response. It records every request and can be told to
/// hang: read each request and never answer, as a collector that is stuck or behind a dropping firewall.
/// </summary>
public sealed class FakeOtlpCollector : IAsyncDisposable
{
    private const string Protobuf = "application/x-protobuf";
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<OtlpRequest> _requests = [];
    private readonly List<TcpClient> _clients = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;

    private FakeOtlpCollector(TcpListener listener, bool hang)
    {
        _listener = listener;
        Hangs = hang;
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the base endpoint, for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the SDK adds each signal's path).</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Gets a value indicating whether the collector reads requests and never answers them.</summary>
    public bool Hangs { get; }

    /// <summary>Gets every request received so far, answered or (when hanging) not.</summary>
    public IReadOnlyList<OtlpRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets every span of the accepted trace requests.</summary>
    public IReadOnlyList<OtlpSpan> Spans => [.. Accepted("/v1/traces").SelectMany(r => OtlpProtobuf.DecodeTraces(r.Body))];

    /// <summary>Gets every data point of the accepted metric requests.</summary>
    public IReadOnlyList<OtlpPoint> Points => [.. Accepted("/v1/metrics").SelectMany(r => OtlpProtobuf.DecodeMetrics(r.Body))];

    /// <summary>Starts a collector on a free port of 127.0.0.1 (or <paramref name="port"/>).</summary>
    public static FakeOtlpCollector Start(int port = 0, bool hang = false)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new FakeOtlpCollector(listener, hang);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_gate)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private IEnumerable<OtlpRequest> Accepted(string path) => Requests.Where(r => r.Status == 200 && r.Path == path);

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_gate)
                {
                    _clients.Add(client);
                }

                connections.Add(ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var reader = new HttpReader(stream);
            while (await reader.ReadRequestAsync(_stop.Token) is { } request)
            {
                var status = Hangs ? 0 : Judge(request);
                lock (_gate)
                {
                    _requests.Add(request with { Status = status });
                }

                if (Hangs)
                {
                    continue;
                }

                var body = status == 200 ? [] : Encoding.UTF8.GetBytes($"{status}");
                var head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: {(status == 200 ? Protobuf : "text/plain")}\r\nContent-Length: {body.Length}\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static int Judge(OtlpRequest request)
    {
        if (request.Path is not ("/v1/traces" or "/v1/metrics"))
        {
            return 404;
        }

        if (request.Method != "POST")
        {
            return 405;
        }

        if (request.ContentType != Protobuf || request.ContentEncoding is not null)
        {
            return 415;
        }

        try
        {
            _ = request.Path == "/v1/traces" ? OtlpProtobuf.DecodeTraces(request.Body).Count : OtlpProtobuf.DecodeMetrics(request.Body).Count;
            return 200;
        }
        catch (FormatException)
        {
            return 400;
        }
    }

    /// <summary>Reads HTTP/1.1 requests off one connection.</summary>
    private sealed class HttpReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<OtlpRequest?> ReadRequestAsync(CancellationToken cancellationToken)
        {
            var requestLine = await ReadLineAsync(cancellationToken);
            if (requestLine is null)
            {
                return null;
            }

            var parts = requestLine.Split(' ');
            if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                throw new IOException($"not an HTTP/1.x request line: {requestLine}");
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (await ReadLineAsync(cancellationToken) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }

            byte[] body;
            if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                using var all = new MemoryStream();
                while (true)
                {
                    var size = int.Parse((await ReadLineAsync(cancellationToken))!.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (size == 0)
                    {
                        while (await ReadLineAsync(cancellationToken) is { Length: > 0 })
                        {
                        }

                        break;
                    }

                    all.Write(await ReadBytesAsync(size, cancellationToken));
                    await ReadLineAsync(cancellationToken);
                }

                body = all.ToArray();
            }
            else
            {
                body = await ReadBytesAsync(headers.TryGetValue("Content-Length", out var length) ? int.Parse(length, CultureInfo.InvariantCulture) : 0, cancellationToken);
            }

            var contentType = headers.GetValueOrDefault("Content-Type")?.Split(';')[0].Trim();
            return new OtlpRequest(parts[0], parts[1], contentType, headers.GetValueOrDefault("Content-Encoding"), body, 0);
        }

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                    _start = newline + 1;
                    return line;
                }

                if (!await FillAsync(cancellationToken))
                {
                    return null;
                }
            }
        }

        private async Task<byte[]> ReadBytesAsync(int count, CancellationToken cancellationToken)
        {
            var result = new byte[count];
            var copied = 0;
            while (copied < count)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new IOException("the connection closed inside a body");
                }

                var n = Math.Min(count - copied, _end - _start);
                Array.Copy(_buffer, _start, result, copied, n);
                _start += n;
                copied += n;
            }

            return result;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new IOException("a header line longer than the buffer");
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += read;
            return read > 0;
        }
    }
}
