using System.Buffers.Binary;
using System.Text;

namespace LiverFlow.Dicom.Tests.IO;

/// <summary>Hand-assembles data set bytes so reader tests state the exact encoding they feed in.</summary>
internal sealed class EncodingBuilder(bool bigEndian = false)
{
    private readonly MemoryStream _bytes = new();

    public byte[] ToArray() => _bytes.ToArray();

    public EncodingBuilder Tag(ushort group, ushort element)
    {
        U16(group);
        return U16(element);
    }

    public EncodingBuilder Explicit(ushort group, ushort element, string vr, byte[] value, uint? length = null)
    {
        Tag(group, element);
        _bytes.Write(Encoding.ASCII.GetBytes(vr));
        if (DicomVR.Parse(vr).HasLongExplicitLength)
        {
            U16(0);
            U32(length ?? (uint)value.Length);
        }
        else
        {
            U16((ushort)(length ?? (uint)value.Length));
        }

        _bytes.Write(value);
        return this;
    }

    public EncodingBuilder Implicit(ushort group, ushort element, byte[] value, uint? length = null)
    {
        Tag(group, element);
        U32(length ?? (uint)value.Length);
        _bytes.Write(value);
        return this;
    }

    public EncodingBuilder Item(uint length = 0xFFFFFFFF) => Tag(0xFFFE, 0xE000).U32(length);

    public EncodingBuilder ItemEnd() => Tag(0xFFFE, 0xE00D).U32(0);

    public EncodingBuilder SequenceEnd() => Tag(0xFFFE, 0xE0DD).U32(0);

    public EncodingBuilder Raw(params byte[] bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public EncodingBuilder U16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        }

        _bytes.Write(b);
        return this;
    }

    public EncodingBuilder U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        }

        _bytes.Write(b);
        return this;
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
