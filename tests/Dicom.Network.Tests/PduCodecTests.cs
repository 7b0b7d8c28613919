using System.Buffers.Binary;
using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network.Tests;

public sealed class PduCodecTests
{
    private static AssociateRequestPdu SampleRequest() => new(
        "LIVERFLOW",
        "MR_SCANNER",
        PduCodec.DicomApplicationContextName,
        [
            new PresentationContextProposal(1, DicomNetworkUids.MRImageStorage, [DicomNetworkUids.ExplicitVRLittleEndian, DicomNetworkUids.ImplicitVRLittleEndian]),
            new PresentationContextProposal(3, DicomNetworkUids.Verification, [DicomNetworkUids.ImplicitVRLittleEndian]),
        ],
        new UserInformation { MaxPduLength = 16384, ImplementationClassUid = "1.2.3.4", ImplementationVersionName = "TEST_1", AsyncOperationsWindow = (2, 3) });

    private static Pdu RoundTrip(Pdu pdu)
    {
        var bytes = PduCodec.Encode(pdu);
        Assert.Equal((byte)pdu.Type, bytes[0]);
        Assert.Equal((uint)(bytes.Length - 6), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2)));
        return PduCodec.Decode(pdu.Type, bytes.AsMemory(6));
    }

    [Fact]
    public void Associate_request_round_trips_with_every_item()
    {
        var decoded = Assert.IsType<AssociateRequestPdu>(RoundTrip(SampleRequest()));

        Assert.Equal("LIVERFLOW", decoded.CalledAeTitle);
        Assert.Equal("MR_SCANNER", decoded.CallingAeTitle);
        Assert.Equal(2, decoded.PresentationContexts.Count);
        Assert.Equal([DicomNetworkUids.ExplicitVRLittleEndian, DicomNetworkUids.ImplicitVRLittleEndian], decoded.PresentationContexts[0].TransferSyntaxes);
        Assert.Equal(16384u, decoded.UserInformation.MaxPduLength);
        Assert.Equal("1.2.3.4", decoded.UserInformation.ImplementationClassUid);
        Assert.Equal("TEST_1", decoded.UserInformation.ImplementationVersionName);
        Assert.Equal(((ushort)2, (ushort)3), decoded.UserInformation.AsyncOperationsWindow);
    }

    [Fact]
    public void Associate_accept_reject_release_and_abort_round_trip()
    {
        var accept = new AssociateAcceptPdu("LIVERFLOW", "MR_SCANNER", PduCodec.DicomApplicationContextName,
            [new PresentationContextAnswer(1, PresentationContextResult.Acceptance, DicomNetworkUids.ExplicitVRLittleEndian), new PresentationContextAnswer(3, PresentationContextResult.AbstractSyntaxNotSupported, DicomNetworkUids.ImplicitVRLittleEndian)],
            new UserInformation { MaxPduLength = 0, ImplementationClassUid = "1.2.3" });
        var decodedAccept = Assert.IsType<AssociateAcceptPdu>(RoundTrip(accept));
        Assert.Equal(accept.PresentationContexts, decodedAccept.PresentationContexts);

        var reject = Assert.IsType<AssociateRejectPdu>(RoundTrip(new AssociateRejectPdu(AssociateRejectResult.Transient, AssociateRejectSource.ServiceProviderPresentation, AssociateRejectReasons.LocalLimitExceeded)));
        Assert.Equal("local limit exceeded", reject.ReasonText);
        Assert.IsType<ReleaseRequestPdu>(RoundTrip(new ReleaseRequestPdu()));
        Assert.IsType<ReleaseResponsePdu>(RoundTrip(new ReleaseResponsePdu()));
        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu), RoundTrip(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)));
    }

    [Fact]
    public void Data_transfer_keeps_each_pdv_and_its_control_bits()
    {
        var pdu = new DataTransferPdu([new PresentationDataValue(1, true, false, new byte[] { 1, 2 }), new PresentationDataValue(3, false, true, new byte[] { 3 })]);
        var decoded = Assert.IsType<DataTransferPdu>(RoundTrip(pdu));

        Assert.Equal(2, decoded.Values.Count);
        Assert.True(decoded.Values[0].IsCommand);
        Assert.False(decoded.Values[0].IsLastFragment);
        Assert.Equal(new byte[] { 1, 2 }, decoded.Values[0].Data.ToArray());
        Assert.False(decoded.Values[1].IsCommand);
        Assert.True(decoded.Values[1].IsLastFragment);
        Assert.Equal(3, decoded.Values[1].PresentationContextId);
    }

    public static TheoryData<string, PduType, byte[], AbortReason> MalformedBodies()
    {
        var request = PduCodec.Encode(SampleRequest()).AsSpan(6).ToArray();
        var evenContextId = (byte[])request.Clone();
        evenContextId[68 + 4 + 21 + 4] = 2;
        var itemOverrun = (byte[])request.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(itemOverrun.AsSpan(68 + 2), 0xFFF0);
        var unknownItem = (byte[])request.Clone();
        unknownItem[68] = 0x77;
        return new TheoryData<string, PduType, byte[], AbortReason>
        {
            { "RQ shorter than its fixed fields", PduType.AssociateRequest, request[..60], AbortReason.InvalidPduParameterValue },
            { "RQ item longer than the PDU", PduType.AssociateRequest, itemOverrun, AbortReason.InvalidPduParameterValue },
            { "RQ with an even presentation context ID", PduType.AssociateRequest, evenContextId, AbortReason.InvalidPduParameterValue },
            { "RQ with an unknown item type", PduType.AssociateRequest, unknownItem, AbortReason.UnrecognizedPduParameter },
            { "RQ with items but no presentation context", PduType.AssociateRequest, request[..(68 + 25)], AbortReason.InvalidPduParameterValue },
            { "release request of 3 bytes", PduType.ReleaseRequest, new byte[3], AbortReason.InvalidPduParameterValue },
            { "abort of 5 bytes", PduType.Abort, new byte[5], AbortReason.InvalidPduParameterValue },
            { "reject with undefined result", PduType.AssociateReject, new byte[] { 0, 9, 1, 1 }, AbortReason.InvalidPduParameterValue },
            { "P-DATA without PDVs", PduType.DataTransfer, Array.Empty<byte>(), AbortReason.InvalidPduParameterValue },
            { "PDV longer than its PDU", PduType.DataTransfer, new byte[] { 0, 0, 0, 50, 1, 3, 9 }, AbortReason.InvalidPduParameterValue },
            { "PDV of length 1", PduType.DataTransfer, new byte[] { 0, 0, 0, 1, 1, 0 }, AbortReason.InvalidPduParameterValue },
            { "PDV on an even context", PduType.DataTransfer, new byte[] { 0, 0, 0, 3, 2, 3, 9 }, AbortReason.InvalidPduParameterValue },
            { "PDV with reserved control bits", PduType.DataTransfer, new byte[] { 0, 0, 0, 3, 1, 0x83, 9 }, AbortReason.InvalidPduParameterValue },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Malformed_bodies_are_refused_with_the_abort_reason_the_standard_names(string because, PduType type, byte[] body, AbortReason expected)
    {
        var ex = Assert.Throws<DicomPduException>(() => PduCodec.Decode(type, body));
        Assert.True(expected == ex.AbortReason, $"{because}: {ex.AbortReason} ({ex.Message})");
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Theory]
    [InlineData("")]
    [InlineData("SEVENTEEN_CHARS_X")]
    [InlineData("BACK\\SLASH")]
    [InlineData("TAB\tAE")]
    public void Encoding_refuses_ae_titles_that_cannot_be_represented(string aeTitle)
    {
        var request = SampleRequest() with { CallingAeTitle = aeTitle };
        Assert.Throws<ArgumentException>(() => PduCodec.Encode(request));
    }

    [Fact]
    public async Task Reader_refuses_an_oversized_pdu_before_reading_its_body()
    {
        var header = new byte[] { 0x04, 0, 0, 0x01, 0x00, 0x01 };
        var reader = new PduReader(new MemoryStream(header), maxDataPduLength: 65536);

        var ex = await Assert.ThrowsAsync<DicomPduException>(() => reader.ReadAsync(CancellationToken.None).AsTask());

        Assert.Equal(AbortReason.InvalidPduParameterValue, ex.AbortReason);
        Assert.Contains("exceeds the limit of 65536", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x08)]
    [InlineData(0xFF)]
    public async Task Reader_refuses_unknown_pdu_types_as_unrecognized(byte type)
    {
        var reader = new PduReader(new MemoryStream([type, 0, 0, 0, 0, 4, 0, 0, 0, 0]), 16384);
        var ex = await Assert.ThrowsAsync<DicomPduException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
        Assert.Equal(AbortReason.UnrecognizedPdu, ex.AbortReason);
    }

    [Fact]
    public async Task Reader_reports_a_connection_closed_mid_pdu_and_null_at_a_clean_end()
    {
        var truncated = new PduReader(new MemoryStream([0x05, 0, 0, 0, 0, 4, 0, 0]), 16384);
        await Assert.ThrowsAsync<DicomNetworkException>(() => truncated.ReadAsync(CancellationToken.None).AsTask());

        var empty = new PduReader(new MemoryStream(), 16384);
        Assert.Null(await empty.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public void Random_bodies_only_ever_raise_pdu_exceptions()
    {
        var random = new Random(20261203);
        var request = PduCodec.Encode(SampleRequest()).AsSpan(6).ToArray();
        for (var i = 0; i < 3000; i++)
        {
            var type = (PduType)random.Next(1, 8);
            byte[] body;
            if (i % 2 == 0)
            {
                body = new byte[random.Next(0, 200)];
                random.NextBytes(body);
            }
            else
            {
                body = (byte[])request.Clone();
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }

                type = PduType.AssociateRequest;
            }

            try
            {
                PduCodec.Decode(type, body);
            }
            catch (DicomPduException)
            {
                // The only acceptable failure.
            }
        }
    }
}
