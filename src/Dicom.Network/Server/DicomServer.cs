using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using LiverFlow.Dicom.Network.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiverFlow.Dicom.Network.Server;

/// <summary>
/// A DICOM SCP listening on one port. Each association gets its own provider instance from the
/// factory and runs on its own task; a failing association never reaches the accept loop.
/// </summary>
public sealed class DicomServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<object> _providerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _activeAssociations;
    private int _nextConnectionId;

    internal DicomServer(IPAddress address, int port, DicomServerOptions options, Func<object> providerFactory, ILoggerFactory? loggerFactory)
    {
        Options = options;
        _providerFactory = providerFactory;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DicomServer>();
        _listener = new TcpListener(address, port);
        _listener.Start(backlog: 128);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        NetworkLog.ServerListening(_logger, options.AeTitle, _listener.LocalEndpoint);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public DicomServerOptions Options { get; }

    /// <summary>The port actually bound (useful when 0 asked for an ephemeral one).</summary>
    public int Port { get; }

    /// <summary>Connections currently being served, negotiating ones included.</summary>
    public int ActiveAssociations => Volatile.Read(ref _activeAssociations);

    internal object CreateProvider() => _providerFactory();

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                // A connection reset before accept completed; keep listening.
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            Interlocked.Increment(ref _activeAssociations);
            var connection = new DicomServiceConnection(this, client, _logger, id);
            _connections[id] = Task.Run(async () =>
            {
                try
                {
                    await connection.RunAsync(_stopping.Token);
                }
                finally
                {
                    Interlocked.Decrement(ref _activeAssociations);
                    _connections.TryRemove(id, out _);
                }
            });
        }
    }

    /// <summary>Stops listening, aborts open associations and waits for their handlers to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        await Task.WhenAll(_connections.Values);
        _stopping.Dispose();
    }
}

/// <summary>Creates servers the way fo-dicom users expect: <c>DicomServerFactory.Create&lt;TProvider&gt;(port)</c>.</summary>
public static class DicomServerFactory
{
    /// <summary>Listens on all interfaces; one new <typeparamref name="TProvider"/> per association.</summary>
    public static DicomServer Create<TProvider>(int port, DicomServerOptions? options = null, ILoggerFactory? loggerFactory = null)
        where TProvider : class, new() =>
        Create(IPAddress.Any, port, () => new TProvider(), options, loggerFactory);

    /// <summary>Listens on <paramref name="address"/>; <paramref name="providerFactory"/> makes one provider per association.</summary>
    public static DicomServer Create<TProvider>(IPAddress address, int port, Func<TProvider> providerFactory, DicomServerOptions? options = null, ILoggerFactory? loggerFactory = null)
        where TProvider : class
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(providerFactory);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        options ??= new DicomServerOptions();
        options.Validate();
        return new DicomServer(address, port, options, providerFactory, loggerFactory);
    }
}
