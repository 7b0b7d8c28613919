using LiverFlow.Dicom.Imaging;

namespace LiverFlow.Dicom.Tests.Imaging;

public class RleLosslessDecoderTests
{
    [Theory]
    [InlineData(new byte[] { 0x02, 1, 2, 3 }, new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 0xFE, 7 }, new byte[] { 7, 7, 7 })]
    [InlineData(new byte[] { 0x80, 0x00, 9 }, new byte[] { 9 })]
    [InlineData(new byte[] { 0x00, 5, 0xFF, 6 }, new byte[] { 5, 6, 6 })]
    [InlineData(new byte[] { 0x81, 4 }, new byte[] { 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4 })]
    [InlineData(new byte[] { 0x01, 1, 2, 0x00 }, new byte[] { 1, 2 })]
    public void PackBits_runs_decode_per_annex_g(byte[] segment, byte[] expected)
    {
        var plane = new byte[expected.Length];

        RleLosslessDecoder.DecodeSegment(segment, plane, 0);

        Assert.Equal(expected, plane);
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 1, 2 }, 6, "literal run")]
    [InlineData(new byte[] { 0xFD }, 4, "replicate run")]
    [InlineData(new byte[] { 0x01, 1, 2 }, 3, "decodes to 2 bytes")]
    [InlineData(new byte[] { 0xFC, 1 }, 2, "replicate run of 5 bytes overruns")]
    public void Malformed_segments_are_rejected_with_the_reason(byte[] segment, int planeLength, string reason)
    {
        var ex = Assert.Throws<DicomPixelDataException>(() => RleLosslessDecoder.DecodeSegment(segment, new byte[planeLength], 0));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sixteen_bit_frames_take_the_high_byte_from_the_first_segment()
    {
        // Two pixels 0x1234, 0xABCD: segment 1 holds the high bytes, segment 2 the low bytes.
        var frame = new byte[64 + 3 + 3];
        frame[0] = 2;
        frame[4] = 64;
        frame[8] = 67;
        new byte[] { 0x01, 0x12, 0xAB, 0x01, 0x34, 0xCD }.CopyTo(frame, 64);
        var decoded = new byte[4];

        RleLosslessDecoder.Decode(frame, 1, 2, decoded, 2);

        Assert.Equal(new byte[] { 0x34, 0x12, 0xCD, 0xAB }, decoded);
    }

    [Theory]
    [InlineData(3, 64, 67, "3 segments")]
    [InlineData(2, 10, 67, "offset 10")]
    [InlineData(2, 67, 64, "before the previous segment")]
    public void A_bad_header_is_rejected(int segments, int first, int second, string reason)
    {
        var frame = new byte[70];
        frame[0] = (byte)segments;
        frame[4] = (byte)first;
        frame[8] = (byte)second;

        var ex = Assert.Throws<DicomPixelDataException>(() => RleLosslessDecoder.Decode(frame, 1, 2, new byte[4], 2));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
