using System.Buffers.Binary;

namespace LiverFlow.Dicom.Network.Client;

/// <summary>Finds where the data set starts in a Part 10 file, so an SCU can send its bytes unchanged.</summary>
internal static class Part10Layout
{
    /// <summary>
    /// Offset of the first data set byte after the preamble, "DICM" and the group 0002 elements
    /// (always Explicit VR LE), or -1 when the file does not have that layout.
    /// </summary>
    public static long FindDataSetOffset(ReadOnlySpan<byte> file)
    {
        if (file.Length < 132 || !file.Slice(128, 4).SequenceEqual("DICM"u8))
        {
            return -1;
        }

        var offset = 132;
        while (offset + 8 <= file.Length && BinaryPrimitives.ReadUInt16LittleEndian(file[offset..]) == 0x0002)
        {
            var vr = file.Slice(offset + 4, 2);
            long length;
            int headerLength;
            if (vr.SequenceEqual("OB"u8) || vr.SequenceEqual("UN"u8) || vr.SequenceEqual("UT"u8) || vr.SequenceEqual("SQ"u8) || vr.SequenceEqual("OW"u8))
            {
                if (offset + 12 > file.Length)
                {
                    return -1;
                }

                length = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 8)..]);
                headerLength = 12;
            }
            else
            {
                length = BinaryPrimitives.ReadUInt16LittleEndian(file[(offset + 6)..]);
                headerLength = 8;
            }

            if (length == 0xFFFFFFFF || offset + headerLength + length > file.Length)
            {
                return -1;
            }

            offset += headerLength + (int)length;
        }

        return offset;
    }
}
