using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LiverFlow.Dicom.IO;
using LiverFlow.Dicom.Network.Pdus;
using LiverFlow.Dicom.Network.Server;
using LiverFlow.Dicom.Network.Tests.Infrastructure;

namespace LiverFlow.Dicom.Network.Tests;

/// <summary>Malformed data sets, hostile PDUs, policy rejections: one association may fail, the server never.</summary>
public sealed class RobustnessTests
{
    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static byte[] EncodedMr(out string sopInstanceUid, DicomTransferSyntax? syntax = null)
    {
        var dataset = MrFileFactory.CreateDataset(1);
        sopInstanceUid = dataset.GetString(DicomTag.SOPInstanceUID);
        return DicomDatasetWriter.Encode(dataset, syntax ?? DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    [Fact]
    public async Task Unparseable_data_set_gets_cannot_understand_and_the_same_association_then_stores_a_good_one()
    {
        await using var scp = new StoringServer();
        await using var association = await RawAssociation.OpenAsync(scp.Port, DicomNetworkUids.MRImageStorage);
        var good = EncodedMr(out var goodUid);
        var truncated = good.AsSpan(0, good.Length / 3).ToArray();
        // An element claiming 0x7FFFFFF0 bytes right after a valid start: no reader may trust it.
        byte[] hostileLength = [.. good.AsSpan(0, 40), 0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N', 0xF0, 0xFF];

        var first = await association.StoreAsync(DicomNetworkUids.MRImageStorage, "1.2.3.4.5", truncated);
        var second = await association.StoreAsync(DicomNetworkUids.MRImageStorage, "1.2.3.4.6", hostileLength);
        var third = await association.StoreAsync(DicomNetworkUids.MRImageStorage, goodUid, good);
        await association.ReleaseAsync();

        Assert.InRange(first.Code, 0xC000, 0xCFFF);
        Assert.InRange(second.Code, 0xC000, 0xCFFF);
        Assert.False(string.IsNullOrWhiteSpace(first.ErrorComment));
        Assert.Equal(DicomStatus.Success, third);
        Assert.Single(scp.Received);
        Assert.Empty(Directory.GetFiles(Path.Combine(scp.StoreFolder, "..", "incoming")));
    }

    [Fact]
    public async Task Data_set_disagreeing_with_its_command_gets_0xA900_and_missing_uid_gets_0xC000()
    {
        await using var scp = new StoringServer();
        await using var association = await RawAssociation.OpenAsync(scp.Port, DicomNetworkUids.MRImageStorage);
        var good = EncodedMr(out var uid);
        var noInstance = MrFileFactory.CreateDataset(2);
        noInstance.Remove(DicomTag.SOPInstanceUID);
        var ctInMrContext = MrFileFactory.CreateDataset(3).AddOrUpdate(DicomTag.SOPClassUID, DicomNetworkUids.CTImageStorage);

        var otherInstance = await association.StoreAsync(DicomNetworkUids.MRImageStorage, "1.2.3.999", good);
        var missing = await association.StoreAsync(DicomNetworkUids.MRImageStorage, "1.2.3.998", DicomDatasetWriter.Encode(noInstance, DicomTransferSyntax.ExplicitVRLittleEndian));
        var otherClass = await association.StoreAsync(DicomNetworkUids.MRImageStorage, ctInMrContext.GetString(DicomTag.SOPInstanceUID), DicomDatasetWriter.Encode(ctInMrContext, DicomTransferSyntax.ExplicitVRLittleEndian));
        var fine = await association.StoreAsync(DicomNetworkUids.MRImageStorage, uid, good);

        Assert.Equal(DicomStatus.StorageDataSetDoesNotMatchSopClass, otherInstance);
        Assert.Equal(DicomStatus.StorageCannotUnderstand, missing);
        Assert.Equal(DicomStatus.StorageDataSetDoesNotMatchSopClass, otherClass);
        Assert.Equal(DicomStatus.Success, fine);
    }

    [Fact]
    public async Task Unwritable_temp_folder_answers_out_of_resources_and_the_association_survives()
    {
        using var work = TestEnvironment.NewTempFolder("a700");
        var blocker = Path.Combine(work.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "a file where the temp folder should be");
        var store = work.Sub("store");
        await using var server = DicomServerFactory.Create(IPAddress.Loopback, 0, () => new FolderStoreProvider(store, []), new DicomServerOptions { TempDirectory = Path.Combine(blocker, "incoming") });
        await using var association = await RawAssociation.OpenAsync(server.Port, DicomNetworkUids.MRImageStorage);

        var status = await association.StoreAsync(DicomNetworkUids.MRImageStorage, "1.2.3", EncodedMr(out _));
        var echo = await association.EchoAsync();

        Assert.Equal(DicomStatus.StorageOutOfResources, status);
        Assert.Contains("Cannot write", status.ErrorComment, StringComparison.Ordinal);
        Assert.Equal(DicomStatus.Success, echo);
    }

    [Fact]
    public async Task A_failing_provider_yields_processing_failure_not_a_lost_association()
    {
        using var work = TestEnvironment.NewTempFolder("0110");
        await using var server = DicomServerFactory.Create(IPAddress.Loopback, 0, () => new ThrowingProvider(), new DicomServerOptions { TempDirectory = work.Path });
        await using var association = await RawAssociation.OpenAsync(server.Port, DicomNetworkUids.MRImageStorage);
        var data = EncodedMr(out var uid);

        var first = await association.StoreAsync(DicomNetworkUids.MRImageStorage, uid, data);
        var second = await association.StoreAsync(DicomNetworkUids.MRImageStorage, uid, data);

        Assert.Equal(DicomStatus.ProcessingFailure, first);
        Assert.Equal(DicomStatus.ProcessingFailure, second);
        Assert.Empty(Directory.GetFiles(work.Path));
    }

    [Fact]
    public async Task Garbage_pdus_abort_only_their_own_association_while_storescu_completes_in_parallel()
    {
        using var source = TestEnvironment.NewTempFolder("parallel");
        var files = MrFileFactory.WriteSeries(source.Path, 60);
        await using var scp = new StoringServer();

        var sending = Dcmtk.RunAsync("storescu", ["-aec", "LIVERFLOW", "-R", "+sd", "+sp", "*.dcm", "127.0.0.1", Port(scp.Port), source.Path]);
        var aborts = new List<byte[]>();
        for (var i = 0; i < 5; i++)
        {
            aborts.Add(await SendRawAsync(scp.Port, [0x09, 0x00, 0x00, 0x00, 0x00, 0x04, 1, 2, 3, 4]));
            aborts.Add(await SendRawAsync(scp.Port, [0x01, 0x00, 0x7F, 0xFF, 0xFF, 0xFF]));
        }

        var result = await sending;

        Assert.All(aborts, reply => Assert.Equal((byte)PduType.Abort, reply.FirstOrDefault()));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(files.Count, scp.Received.Count);
    }

    [Fact]
    public async Task Called_ae_not_in_the_allow_list_is_rejected_with_that_reason()
    {
        await using var scp = new StoringServer(new DicomServerOptions { AllowedCalledAeTitles = ["LIVERFLOW"] });

        var rejected = await Dcmtk.RunAsync("echoscu", ["-aet", "ECHOSCU", "-aec", "SOMEONE", "127.0.0.1", Port(scp.Port)]);
        var accepted = await Dcmtk.RunAsync("echoscu", ["-aet", "ECHOSCU", "-aec", "LIVERFLOW", "127.0.0.1", Port(scp.Port)]);

        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("Called AE Title Not Recognized", rejected.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(accepted.ExitCode == 0, accepted.Output);
    }

    [Fact]
    public async Task Calling_ae_not_in_the_allow_list_is_rejected_with_that_reason()
    {
        await using var scp = new StoringServer(new DicomServerOptions { AllowedCallingAeTitles = ["MR_SCANNER_1"] });

        var rejected = await Dcmtk.RunAsync("echoscu", ["-aet", "INTRUDER", "-aec", "LIVERFLOW", "127.0.0.1", Port(scp.Port)]);
        var accepted = await Dcmtk.RunAsync("echoscu", ["-aet", "MR_SCANNER_1", "-aec", "LIVERFLOW", "127.0.0.1", Port(scp.Port)]);

        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", rejected.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(accepted.ExitCode == 0, accepted.Output);
    }

    [Fact]
    public async Task Associations_over_the_limit_are_rejected_as_local_limit_exceeded()
    {
        await using var scp = new StoringServer(new DicomServerOptions { MaxConcurrentAssociations = 1 });
        var held = await RawAssociation.OpenAsync(scp.Port, DicomNetworkUids.Verification);

        var overLimit = await Dcmtk.RunAsync("echoscu", ["-aec", "LIVERFLOW", "127.0.0.1", Port(scp.Port)]);
        await held.ReleaseAsync();
        await held.DisposeAsync();
        await WaitUntilAsync(() => scp.Server.ActiveAssociations == 0);
        var afterRelease = await Dcmtk.RunAsync("echoscu", ["-aec", "LIVERFLOW", "127.0.0.1", Port(scp.Port)]);

        Assert.NotEqual(0, overLimit.ExitCode);
        Assert.Contains("Local Limit Exceeded", overLimit.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(afterRelease.ExitCode == 0, afterRelease.Output);
    }

    [Fact]
    public async Task Jpeg_only_proposals_are_refused_so_senders_transcode()
    {
        await using var scp = new StoringServer();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => RawAssociation.OpenAsync(scp.Port, DicomNetworkUids.MRImageStorage, "1.2.840.10008.1.2.4.70"));
        Assert.Contains("TransferSyntaxesNotSupported", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Sends raw bytes, half-closes, and returns whatever the server answers before closing.</summary>
    internal static async Task<byte[]> SendRawAsync(int port, byte[] bytes)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(bytes);
            tcp.Client.Shutdown(SocketShutdown.Send);
        }
        catch (IOException)
        {
            // The server may abort before we finish writing: its answer is what we check.
        }

        using var reply = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await stream.CopyToAsync(reply, timeout.Token);
        }
        catch (IOException)
        {
            // Reset after the abort: what arrived before it is enough.
        }

        return reply.ToArray();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    private sealed class ThrowingProvider : IDicomCStoreProvider
    {
        public ValueTask<DicomStatus> OnCStoreRequestAsync(DicomCStoreRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("archive database is down");
    }
}
