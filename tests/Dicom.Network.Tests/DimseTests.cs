using System.Buffers.Binary;
using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network.Tests;

public sealed class DimseTests
{
    [Theory]
    [InlineData(16384u, 100_000)]
    [InlineData(4096u, 4090)]
    [InlineData(4096u, 4091)]
    [InlineData(0u, 3_000_000)]
    public async Task Fragments_never_exceed_the_peer_max_pdu_and_only_the_last_is_marked_last(uint peerMax, int messageLength)
    {
        var message = new byte[messageLength];
        new Random(messageLength).NextBytes(message);
        var wire = new MemoryStream();
        var stream = new PDataWriteStream(wire, 3, isCommand: false, peerMax);
        await stream.WriteAsync(message.AsMemory(0, messageLength / 2));
        stream.Write(message.AsSpan(messageLength / 2));
        await stream.CompleteAsync(CancellationToken.None);

        wire.Position = 0;
        var limit = peerMax == 0 ? PDataWriteStream.UnlimitedPeerCap : peerMax;
        var reader = new PduReader(wire, limit);
        var reassembled = new MemoryStream();
        var lastSeen = false;
        while (await reader.ReadAsync(CancellationToken.None) is DataTransferPdu pdu)
        {
            var pdv = Assert.Single(pdu.Values);
            Assert.False(lastSeen, "a fragment followed the last one");
            Assert.False(pdv.IsCommand);
            Assert.NotEqual(0, pdv.Data.Length);
            lastSeen = pdv.IsLastFragment;
            reassembled.Write(pdv.Data.Span);
        }

        Assert.True(lastSeen);
        Assert.Equal(message, reassembled.ToArray());
    }

    [Fact]
    public void Command_set_is_implicit_little_endian_with_group_length_computed()
    {
        var command = new CommandSet()
            .SetString(DicomTag.AffectedSOPClassUID, DicomNetworkUids.Verification)
            .SetUInt16(DicomTag.CommandField, (ushort)DicomCommandField.CEchoRequest)
            .SetUInt16(DicomTag.MessageID, 7)
            .SetUInt16(DicomTag.CommandDataSetType, CommandDataSetTypes.NoDataSet);

        var bytes = command.Encode();

        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal((uint)(bytes.Length - 12), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var decoded = CommandSet.Decode(bytes);
        Assert.Equal(DicomCommandField.CEchoRequest, decoded.CommandField);
        Assert.Equal((ushort)7, decoded.GetUInt16(DicomTag.MessageID));
        Assert.False(decoded.HasDataSet);
        Assert.Equal(DicomNetworkUids.Verification, decoded.GetString(DicomTag.AffectedSOPClassUID));
    }

    [Fact]
    public void Command_sets_with_foreign_groups_or_no_command_field_are_refused()
    {
        var foreign = new CommandSet().SetUInt16(DicomTag.CommandField, 1).Encode();
        byte[] withPatient = [.. foreign, 0x10, 0x00, 0x10, 0x00, 2, 0, 0, 0, (byte)'A', (byte)' '];
        var noField = new CommandSet().SetUInt16(DicomTag.MessageID, 1).Encode();

        Assert.Throws<DicomNetworkException>(() => CommandSet.Decode(withPatient));
        Assert.Throws<DicomNetworkException>(() => CommandSet.Decode(noField));
        Assert.Throws<DicomNetworkException>(() => CommandSet.Decode(new byte[] { 0, 0, 0, 1, 0xFF, 0xFF, 0, 0 }));
    }

    [Theory]
    [InlineData((ushort)0x0000, DicomState.Success)]
    [InlineData((ushort)0x0001, DicomState.Warning)]
    [InlineData((ushort)0xB007, DicomState.Warning)]
    [InlineData((ushort)0xA700, DicomState.Failure)]
    [InlineData((ushort)0xA900, DicomState.Failure)]
    [InlineData((ushort)0xC123, DicomState.Failure)]
    [InlineData((ushort)0xFE00, DicomState.Cancel)]
    [InlineData((ushort)0xFF00, DicomState.Pending)]
    public void Status_codes_fall_into_the_categories_of_ps3_7_annex_c(ushort code, DicomState state)
    {
        Assert.Equal(state, DicomStatus.FromCode(code).State);
    }

    [Fact]
    public void Response_error_comment_is_cut_to_64_printable_characters()
    {
        var response = new DicomResponse(DicomCommandField.CStoreResponse, 3, DicomStatus.StorageCannotUnderstand.WithComment(new string('x', 80) + "\n"), DicomNetworkUids.MRImageStorage, "1.2.3");
        var decoded = DicomResponse.FromCommandSet(CommandSet.Decode(response.ToCommandSet().Encode()));

        Assert.Equal(0xC000, decoded.Status.Code);
        Assert.Equal(new string('x', 64), decoded.Status.ErrorComment);
        Assert.Equal((ushort)3, decoded.MessageIdBeingRespondedTo);
    }
}
