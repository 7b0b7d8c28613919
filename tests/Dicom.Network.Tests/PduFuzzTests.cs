using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LiverFlow.Dicom.IO;
using LiverFlow.Dicom.Network.Pdus;
using LiverFlow.Dicom.Network.Tests.Infrastructure;

namespace LiverFlow.Dicom.Network.Tests;

/// <summary>
/// Randomised PDUs against a live SCP with a fixed seed: garbage, mutated association requests,
/// and mutated P-DATA inside an accepted association. The server must survive every case and
/// still answer echoscu. LIVERFLOW_FUZZ_ITERATIONS=N runs longer.
/// </summary>
public sealed class PduFuzzTests
{
    private const int DefaultIterations = 300;

    [Fact]
    public async Task Server_survives_randomised_pdus_and_still_answers_echoscu()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("LIVERFLOW_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultIterations;
        var random = new Random(3_2026_1203);
        await using var scp = new StoringServer(new Server.DicomServerOptions { ArtimTimeout = TimeSpan.FromSeconds(2), DimseTimeout = TimeSpan.FromSeconds(2) });
        var request = PduCodec.Encode(new AssociateRequestPdu(
            "LIVERFLOW",
            "FUZZER",
            PduCodec.DicomApplicationContextName,
            [new PresentationContextProposal(1, DicomNetworkUids.MRImageStorage, [DicomNetworkUids.ExplicitVRLittleEndian]), new PresentationContextProposal(3, DicomNetworkUids.Verification, [DicomNetworkUids.ImplicitVRLittleEndian])],
            new UserInformation { MaxPduLength = 16384, ImplementationClassUid = "1.2.3" }));
        var store = StoreMessage();

        for (var i = 0; i < iterations; i++)
        {
            var bytes = (i % 3) switch
            {
                0 => RandomBytes(random),
                1 => Mutate(random, request),
                _ => [.. request, .. Mutate(random, store)],
            };
            await SendAndDrainAsync(scp.Port, bytes);
        }

        var echo = await Dcmtk.RunAsync("echoscu", ["-aec", "LIVERFLOW", "127.0.0.1", scp.Port.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(echo.ExitCode == 0, echo.Output);
        await WaitForQuietAsync(scp);
        Assert.Equal(0, scp.Server.ActiveAssociations);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 300)];
        random.NextBytes(bytes);
        if (random.Next(2) == 0)
        {
            // A plausible header makes the body reach the decoders instead of failing on the type.
            bytes[0] = (byte)random.Next(1, 8);
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 1:
                return bytes[..random.Next(1, bytes.Length)];
            case 2:
                var position = random.Next(bytes.Length - 4);
                bytes[position] = 0xFF;
                bytes[position + 1] = 0xFF;
                return bytes;
            default:
                return [.. bytes, .. Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256))];
        }
    }

    /// <summary>A C-STORE-RQ command and data set as the P-DATA-TF PDUs a sender would put on the wire.</summary>
    private static byte[] StoreMessage()
    {
        var dataset = MrFileFactory.CreateDataset(1);
        var command = new CommandSet()
            .SetString(DicomTag.AffectedSOPClassUID, DicomNetworkUids.MRImageStorage)
            .SetUInt16(DicomTag.CommandField, (ushort)DicomCommandField.CStoreRequest)
            .SetUInt16(DicomTag.MessageID, 1)
            .SetUInt16(DicomTag.Priority, 0)
            .SetUInt16(DicomTag.CommandDataSetType, 0)
            .SetString(DicomTag.AffectedSOPInstanceUID, dataset.GetString(DicomTag.SOPInstanceUID));
        var wire = new MemoryStream();
        var commandStream = new PDataWriteStream(wire, 1, true, 16384);
        commandStream.Write(command.Encode());
        commandStream.CompleteAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var dataStream = new PDataWriteStream(wire, 1, false, 16384);
        dataStream.Write(DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian));
        dataStream.CompleteAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return wire.ToArray();
    }

    private static async Task SendAndDrainAsync(int port, byte[] bytes)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(bytes);
            tcp.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // The server aborted and reset the connection: an acceptable outcome for garbage.
        }
    }

    private static async Task WaitForQuietAsync(StoringServer scp)
    {
        for (var i = 0; i < 300 && scp.Server.ActiveAssociations > 0; i++)
        {
            await Task.Delay(10);
        }
    }
}
