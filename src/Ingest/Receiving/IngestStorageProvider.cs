using LiverFlow.Dicom.Network;
using LiverFlow.Dicom.Network.Server;

namespace LiverFlow.Ingest.Receiving;

/// <summary>
/// The C-STORE/C-ECHO provider of one association. Success is returned only after the instance is on
/// disk (fsynced) and indexed; anything that stops that returns a failure status with the reason, and
/// the association carries on with the next instance.
/// </summary>
internal sealed class IngestStorageProvider(InstanceReceiver receiver) : IDicomCStoreProvider, IDicomCEchoProvider
{
    public const string Source = "dicom";

    public ValueTask<DicomStatus> OnCEchoRequestAsync(DicomCEchoRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(DicomStatus.Success);

    public async ValueTask<DicomStatus> OnCStoreRequestAsync(DicomCStoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = await receiver.ReceiveAsync(request.FilePath, request.CallingAeTitle, Source, cancellationToken);
        return outcome.Result switch
        {
            ReceiveResult.Stored or ReceiveResult.Duplicate => DicomStatus.Success,
            // 0xC000 "cannot understand" with the reason in Error Comment (0000,0902), which is at most 64 characters.
            _ => DicomStatus.StorageCannotUnderstand.WithComment(Truncate(outcome.Reason ?? "rejected", 64)),
        };
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}

/// <summary>Runs the DICOM listener (AE, port and calling-AE allow-list from <c>Ingest:Dicom</c>) for the host's lifetime.</summary>
internal sealed partial class DicomListenerService(
    InstanceReceiver receiver,
    Storage.FileStore store,
    Microsoft.Extensions.Options.IOptions<IngestOptions> options,
    ILoggerFactory loggerFactory,
    ILogger<DicomListenerService> logger) : IHostedService, IAsyncDisposable
{
    private DicomServer? _server;

    /// <summary>The bound port (differs from the configured one when that was 0).</summary>
    public int? Port => _server?.Port;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var dicom = options.Value.Dicom;
        if (!dicom.Enabled)
        {
            return Task.CompletedTask;
        }
        var serverOptions = new DicomServerOptions
        {
            AeTitle = dicom.AeTitle,
            AllowedCalledAeTitles = [dicom.AeTitle],
            AllowedCallingAeTitles = dicom.AllowedCallingAeTitles,
            MaxConcurrentAssociations = dicom.MaxConcurrentAssociations,
            TempDirectory = store.IncomingDirectory,
        };
        _server = DicomServerFactory.Create(System.Net.IPAddress.Parse(dicom.BindAddress), dicom.Port,
            () => new IngestStorageProvider(receiver), serverOptions, loggerFactory);
        LogListening(logger, dicom.AeTitle, dicom.BindAddress, _server.Port);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "DICOM listener {AeTitle} on {Address}:{Port}")]
    private static partial void LogListening(ILogger logger, string aeTitle, string address, int port);
}
