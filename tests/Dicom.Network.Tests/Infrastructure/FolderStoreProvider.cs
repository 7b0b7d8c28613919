using System.Collections.Concurrent;
using LiverFlow.Dicom.Network.Server;

namespace LiverFlow.Dicom.Network.Tests.Infrastructure;

/// <summary>
/// The provider a real deployment would write: C-ECHO answers success, C-STORE moves the received
/// temp file into a folder named by the test. One instance per association, so shared state is static per folder.
/// </summary>
internal sealed class FolderStoreProvider : IDicomCEchoProvider, IDicomCStoreProvider
{
    private readonly string _folder;
    private readonly ConcurrentBag<DicomCStoreRequest> _received;

    public FolderStoreProvider(string folder, ConcurrentBag<DicomCStoreRequest> received)
    {
        _folder = folder;
        _received = received;
    }

    public ValueTask<DicomStatus> OnCEchoRequestAsync(DicomCEchoRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(DicomStatus.Success);

    public ValueTask<DicomStatus> OnCStoreRequestAsync(DicomCStoreRequest request, CancellationToken cancellationToken)
    {
        File.Move(request.FilePath, Path.Combine(_folder, request.SopInstanceUid + ".dcm"), overwrite: true);
        _received.Add(request);
        return ValueTask.FromResult(DicomStatus.Success);
    }
}

/// <summary>A running SCP on loopback that stores into a temp folder; the fixture most tests start from.</summary>
internal sealed class StoringServer : IAsyncDisposable
{
    private readonly TempFolder _folder;

    public StoringServer(DicomServerOptions? options = null)
    {
        _folder = TestEnvironment.NewTempFolder("scp");
        StoreFolder = _folder.Sub("store");
        var tempFolder = _folder.Sub("incoming");
        Server = DicomServerFactory.Create(
            System.Net.IPAddress.Loopback,
            0,
            () => new FolderStoreProvider(StoreFolder, Received),
            (options ?? new DicomServerOptions()) with { TempDirectory = tempFolder });
    }

    public DicomServer Server { get; }

    public int Port => Server.Port;

    public string StoreFolder { get; }

    public ConcurrentBag<DicomCStoreRequest> Received { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _folder.Dispose();
    }
}
