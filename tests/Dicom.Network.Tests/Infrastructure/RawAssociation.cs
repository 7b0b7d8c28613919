using System.Net;
using System.Net.Sockets;
using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network.Tests.Infrastructure;

/// <summary>
/// A hand-driven requestor built from the PDU layer, for sending what no well-behaved SCU would:
/// data sets that do not parse, commands that disagree with their data set, held-open associations.
/// </summary>
internal sealed class RawAssociation : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly AssociationChannel _channel;
    private ushort _messageId;

    private RawAssociation(TcpClient tcp, AssociationChannel channel)
    {
        _tcp = tcp;
        _channel = channel;
    }

    public static async Task<RawAssociation> OpenAsync(int port, string abstractSyntax, string transferSyntax = DicomNetworkUids.ExplicitVRLittleEndian, string callingAe = "RAWSCU", string calledAe = "LIVERFLOW")
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var channel = new AssociationChannel(tcp.GetStream(), 64 * 1024);
        await channel.SendPduAsync(
            new AssociateRequestPdu(calledAe, callingAe, PduCodec.DicomApplicationContextName, [new PresentationContextProposal(1, abstractSyntax, [transferSyntax])], new UserInformation { MaxPduLength = 64 * 1024, ImplementationClassUid = "1.2.3.4" }),
            CancellationToken.None);
        var answer = await channel.ReadPduAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        if (answer is not AssociateAcceptPdu accept || accept.PresentationContexts[0].Result != PresentationContextResult.Acceptance)
        {
            tcp.Dispose();
            throw new InvalidOperationException($"Association not accepted: {answer?.Type} {(answer as AssociateAcceptPdu)?.PresentationContexts[0].Result}");
        }

        channel.PeerMaxPduLength = accept.UserInformation.MaxPduLength;
        channel.AcceptedContexts = new Dictionary<byte, (string, string)> { [1] = (abstractSyntax, transferSyntax) };
        return new RawAssociation(tcp, channel);
    }

    /// <summary>Sends a C-STORE-RQ with the given UIDs and raw data set bytes; returns the response status.</summary>
    public async Task<DicomStatus> StoreAsync(string sopClassUid, string sopInstanceUid, byte[] dataSet)
    {
        var command = new CommandSet()
            .SetString(DicomTag.AffectedSOPClassUID, sopClassUid)
            .SetUInt16(DicomTag.CommandField, (ushort)DicomCommandField.CStoreRequest)
            .SetUInt16(DicomTag.MessageID, ++_messageId)
            .SetUInt16(DicomTag.Priority, 0)
            .SetUInt16(DicomTag.CommandDataSetType, 0)
            .SetString(DicomTag.AffectedSOPInstanceUID, sopInstanceUid);
        await _channel.SendMessageAsync(1, command, (s, ct) => s.WriteAsync(dataSet, ct).AsTask(), CancellationToken.None);
        var received = await _channel.ReceiveAsync((_, _) => DiscardingDataSetSink.Instance, TimeSpan.FromSeconds(10), CancellationToken.None);
        var response = received as MessageReceived ?? throw new InvalidOperationException($"Expected a response, got {received}");
        return DicomResponse.FromCommandSet(response.Command).Status;
    }

    /// <summary>Sends a C-STORE-RQ and only part of its data set, then waits for what the SCP does about it.</summary>
    public async Task<byte> StoreHalfAsync(string sopClassUid, string sopInstanceUid, byte[] firstFragment)
    {
        var command = new CommandSet()
            .SetString(DicomTag.AffectedSOPClassUID, sopClassUid)
            .SetUInt16(DicomTag.CommandField, (ushort)DicomCommandField.CStoreRequest)
            .SetUInt16(DicomTag.MessageID, ++_messageId)
            .SetUInt16(DicomTag.Priority, 0)
            .SetUInt16(DicomTag.CommandDataSetType, 0)
            .SetString(DicomTag.AffectedSOPInstanceUID, sopInstanceUid);
        await _channel.SendMessageAsync(1, command, null, CancellationToken.None);
        await _channel.SendPduAsync(new DataTransferPdu([new PresentationDataValue(1, false, false, firstFragment)]), CancellationToken.None);
        var answer = await _channel.ReadPduAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        return answer is null ? (byte)0 : (byte)answer.Type;
    }

    public async Task<DicomStatus> EchoAsync()
    {
        var command = new CommandSet()
            .SetString(DicomTag.AffectedSOPClassUID, DicomNetworkUids.Verification)
            .SetUInt16(DicomTag.CommandField, (ushort)DicomCommandField.CEchoRequest)
            .SetUInt16(DicomTag.MessageID, ++_messageId)
            .SetUInt16(DicomTag.CommandDataSetType, CommandDataSetTypes.NoDataSet);
        await _channel.SendMessageAsync(1, command, null, CancellationToken.None);
        var received = await _channel.ReceiveAsync((_, _) => DiscardingDataSetSink.Instance, TimeSpan.FromSeconds(10), CancellationToken.None);
        return DicomResponse.FromCommandSet(((MessageReceived)received).Command).Status;
    }

    public async Task ReleaseAsync()
    {
        await _channel.SendPduAsync(new ReleaseRequestPdu(), CancellationToken.None);
        var answer = await _channel.ReceiveAsync((_, _) => DiscardingDataSetSink.Instance, TimeSpan.FromSeconds(10), CancellationToken.None);
        if (answer is not ReleaseResponded)
        {
            throw new InvalidOperationException($"Expected A-RELEASE-RP, got {answer}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
