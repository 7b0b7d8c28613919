using System.Buffers.Binary;
using System.Text;

namespace LiverFlow.Dicom.Network.Server;

/// <summary>
/// Writes the Part 10 preamble, "DICM" and File Meta Information (group 0002, always Explicit VR
/// LE, PS3.10 §7.1) in front of a data set received in whatever transfer syntax was negotiated,
/// so the bytes that follow can be stored exactly as they arrived.
/// </summary>
internal static class FileMetaInformationWriter
{
    public static byte[] Build(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, string sourceAeTitle)
    {
        using var elements = new MemoryStream();
        WriteElement(elements, 0x0001, "OB", [0x00, 0x01]);
        WriteElement(elements, 0x0002, "UI", Uid(sopClassUid));
        WriteElement(elements, 0x0003, "UI", Uid(sopInstanceUid));
        WriteElement(elements, 0x0010, "UI", Uid(transferSyntaxUid));
        WriteElement(elements, 0x0012, "UI", Uid(DicomNetworkUids.ImplementationClassUid));
        WriteElement(elements, 0x0013, "SH", Text(DicomNetworkUids.ImplementationVersionName));
        WriteElement(elements, 0x0016, "AE", Text(sourceAeTitle));

        using var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        var groupLength = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength, (uint)elements.Length);
        WriteElement(file, 0x0000, "UL", groupLength);
        elements.Position = 0;
        elements.CopyTo(file);
        return file.ToArray();
    }

    private static byte[] Uid(string uid)
    {
        var bytes = Encoding.ASCII.GetBytes(uid);
        return bytes.Length % 2 == 0 ? bytes : [.. bytes, 0];
    }

    private static byte[] Text(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return bytes.Length % 2 == 0 ? bytes : [.. bytes, (byte)' '];
    }

    private static void WriteElement(Stream stream, ushort element, string vr, byte[] value)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0x0002);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], element);
        header[4] = (byte)vr[0];
        header[5] = (byte)vr[1];
        if (vr == "OB")
        {
            // OB has a 2-byte reserved field and a 4-byte length in Explicit VR (PS3.5 §7.1.2).
            header[6] = 0;
            header[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)value.Length);
            stream.Write(header);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)value.Length);
            stream.Write(header[..8]);
        }

        stream.Write(value);
    }
}
