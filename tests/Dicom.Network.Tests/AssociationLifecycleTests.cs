using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LiverFlow.Dicom.Network.Pdus;
using LiverFlow.Dicom.Network.Server;
using LiverFlow.Dicom.Network.Tests.Infrastructure;

namespace LiverFlow.Dicom.Network.Tests;

/// <summary>Timers and hooks around the life of an association on our SCP.</summary>
public sealed class AssociationLifecycleTests
{
    [Fact]
    public async Task A_peer_that_connects_and_says_nothing_is_dropped_when_artim_expires()
    {
        await using var scp = new StoringServer(new DicomServerOptions { ArtimTimeout = TimeSpan.FromMilliseconds(300) });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, scp.Port);
        var clock = Stopwatch.StartNew();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = new MemoryStream();
        try
        {
            await tcp.GetStream().CopyToAsync(reply, timeout.Token);
        }
        catch (IOException)
        {
            // Reset instead of FIN: also a closed association.
        }

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        Assert.Equal((byte)PduType.Abort, reply.ToArray().FirstOrDefault());
    }

    [Fact]
    public async Task A_sender_that_stalls_mid_data_set_is_aborted_after_the_dimse_timeout_and_its_temp_file_removed()
    {
        using var work = TestEnvironment.NewTempFolder("stall");
        var incoming = work.Sub("incoming");
        await using var server = DicomServerFactory.Create(IPAddress.Loopback, 0, () => new FolderStoreProvider(work.Sub("store"), []), new DicomServerOptions { DimseTimeout = TimeSpan.FromMilliseconds(400), TempDirectory = incoming });
        await using var association = await RawAssociation.OpenAsync(server.Port, DicomNetworkUids.MRImageStorage);

        var stalled = association.StoreHalfAsync(DicomNetworkUids.MRImageStorage, "1.2.3.4", new byte[5000]);
        var outcome = await stalled;

        Assert.Equal((byte)PduType.Abort, outcome);
        for (var i = 0; i < 100 && server.ActiveAssociations > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Empty(Directory.GetFiles(incoming));
    }

    [Fact]
    public async Task The_provider_hook_can_reject_an_association_the_policy_accepted()
    {
        using var work = TestEnvironment.NewTempFolder("hook");
        await using var server = DicomServerFactory.Create(IPAddress.Loopback, 0, () => new NightShiftProvider(), new DicomServerOptions { TempDirectory = work.Path });
        var port = server.Port.ToString(CultureInfo.InvariantCulture);

        var refused = await Dcmtk.RunAsync("echoscu", ["-aet", "NIGHTSHIFT", "-aec", "LIVERFLOW", "127.0.0.1", port]);
        var welcome = await Dcmtk.RunAsync("echoscu", ["-aet", "DAYSHIFT", "-aec", "LIVERFLOW", "127.0.0.1", port]);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Rejected Transient", refused.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(welcome.ExitCode == 0, welcome.Output);
    }

    [Fact]
    public async Task Disposing_the_server_aborts_open_associations_and_stops_listening()
    {
        var scp = new StoringServer();
        var port = scp.Port;
        var held = await RawAssociation.OpenAsync(port, DicomNetworkUids.Verification);

        var dispose = scp.DisposeAsync().AsTask();
        var finished = await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(dispose, finished);
        await Assert.ThrowsAnyAsync<Exception>(() => held.EchoAsync());
        await held.DisposeAsync();
        using var probe = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
    }

    private sealed class NightShiftProvider : IDicomCEchoProvider, IDicomAssociationRequestHandler
    {
        public ValueTask<DicomStatus> OnCEchoRequestAsync(DicomCEchoRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(DicomStatus.Success);

        public ValueTask<DicomAssociationRejection?> OnReceiveAssociationRequestAsync(DicomAssociation association, CancellationToken cancellationToken) =>
            ValueTask.FromResult(association.CallingAeTitle == "NIGHTSHIFT"
                ? new DicomAssociationRejection(AssociateRejectResult.Transient, AssociateRejectSource.ServiceUser, AssociateRejectReasons.ServiceUserNoReasonGiven)
                : null);
    }
}
