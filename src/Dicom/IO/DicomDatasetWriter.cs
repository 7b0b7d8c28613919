using System.Buffers.Binary;
using System.IO.Compression;

namespace LiverFlow.Dicom.IO;

/// <summary>
/// Writes a data set in Explicit VR Little Endian, Implicit VR Little Endian, Deflated Explicit VR Little
/// Endian, or an encapsulated syntax (explicit LE with the pixel fragments kept). Lengths are measured
/// before writing, so group lengths come out right and output streams straight to its destination.
/// Sequences and items are written with undefined length; odd values are padded per their VR.
/// </summary>
public static class DicomDatasetWriter
{
    private const uint UndefinedLength = 0xFFFFFFFF;

    public static void Write(Stream stream, DicomDataset dataset, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        EnsureWritable(dataset, syntax);
        if (syntax.IsDeflated)
        {
            using var deflate = new DeflateStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            using var buffered = new BufferedStream(deflate, 65536);
            new Encoder(buffered, explicitVR: true).WriteDataset(dataset);
            buffered.Flush();
            return;
        }

        new Encoder(stream, syntax.IsExplicitVR).WriteDataset(dataset);
    }

    public static byte[] Encode(DicomDataset dataset, DicomTransferSyntax syntax)
    {
        using var memory = new MemoryStream();
        Write(memory, dataset, syntax);
        return memory.ToArray();
    }

    /// <summary>Encodes a DIMSE command set in Implicit VR Little Endian with CommandGroupLength (0000,0000) recomputed.</summary>
    public static byte[] EncodeCommand(DicomDataset command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!command.Contains(DicomTag.CommandGroupLength))
        {
            command.Add(new DicomElement(DicomTag.CommandGroupLength, DicomVR.UL, new byte[4]));
        }

        return Encode(command, DicomTransferSyntax.ImplicitVRLittleEndian);
    }

    /// <summary>Bytes <see cref="Write"/> produces for this data set (before deflate).</summary>
    public static long MeasureLength(DicomDataset dataset, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        return Encoder.MeasureDataset(dataset, syntax.IsExplicitVR);
    }

    private static void EnsureWritable(DicomDataset dataset, DicomTransferSyntax syntax)
    {
        if (syntax.IsBigEndian)
        {
            throw new DicomTransferSyntaxException("LiverFlow reads Explicit VR Big Endian but does not write it (retired in PS3.5); write Explicit VR Little Endian.");
        }

        var pixels = dataset.GetItem(DicomTag.PixelData);
        if (syntax.IsEncapsulated && pixels is DicomElement)
        {
            throw new DicomTransferSyntaxException($"Cannot write native pixel data as {syntax}: LiverFlow does not compress pixel data.");
        }

        if (!syntax.IsEncapsulated && pixels is DicomFragmentSequence)
        {
            throw new DicomTransferSyntaxException($"Pixel data is encapsulated ({dataset.InternalTransferSyntax}); write it in that syntax or decode the frames first, not as {syntax}.");
        }
    }

    private sealed class Encoder(Stream stream, bool explicitVR)
    {
        private readonly byte[] _header = new byte[12];

        public void WriteDataset(DicomDataset dataset)
        {
            foreach (var item in dataset)
            {
                if (item.Tag.IsGroupLength && item is DicomElement)
                {
                    WriteGroupLength(dataset, item.Tag);
                    continue;
                }

                WriteItem(item);
            }
        }

        private void WriteGroupLength(DicomDataset dataset, DicomTag groupLengthTag)
        {
            long length = 0;
            foreach (var item in dataset)
            {
                if (item.Tag.Group == groupLengthTag.Group && !item.Tag.IsGroupLength)
                {
                    length += MeasureItem(item, explicitVR);
                }
            }

            var value = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(value, checked((uint)length));
            WriteHeader(groupLengthTag, DicomVR.UL, 4);
            stream.Write(value);
        }

        private void WriteItem(DicomItem item)
        {
            switch (item)
            {
                case DicomElement element:
                    {
                        var span = element.Buffer.Span;
                        var vr = EffectiveVR(element, explicitVR);
                        var padded = span.Length + (span.Length & 1);
                        WriteHeader(element.Tag, vr, (uint)padded);
                        stream.Write(span);
                        if ((span.Length & 1) == 1)
                        {
                            stream.WriteByte(element.ValueRepresentation.PaddingByte);
                        }

                        break;
                    }

                case DicomSequence sequence:
                    WriteHeader(sequence.Tag, DicomVR.SQ, UndefinedLength);
                    foreach (var child in sequence.Items)
                    {
                        WriteRaw(0xFFFE, 0xE000, UndefinedLength);
                        WriteDataset(child);
                        WriteRaw(0xFFFE, 0xE00D, 0);
                    }

                    WriteRaw(0xFFFE, 0xE0DD, 0);
                    break;
                case DicomFragmentSequence fragments:
                    WriteHeader(fragments.Tag, fragments.ValueRepresentation, UndefinedLength);
                    WriteRaw(0xFFFE, 0xE000, (uint)(fragments.OffsetTable.Count * 4));
                    Span<byte> offset = stackalloc byte[4];
                    foreach (var value in fragments.OffsetTable)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(offset, value);
                        stream.Write(offset);
                    }

                    foreach (var fragment in fragments.Fragments)
                    {
                        var odd = fragment.Length & 1;
                        WriteRaw(0xFFFE, 0xE000, (uint)(fragment.Length + odd));
                        stream.Write(fragment.Span);
                        if (odd == 1)
                        {
                            stream.WriteByte(0);
                        }
                    }

                    WriteRaw(0xFFFE, 0xE0DD, 0);
                    break;
                default:
                    throw new DicomDataException($"{item.Tag}: cannot encode item of type {item.GetType().Name}.");
            }
        }

        private void WriteHeader(DicomTag tag, DicomVR vr, uint length)
        {
            var h = _header.AsSpan();
            BinaryPrimitives.WriteUInt16LittleEndian(h, tag.Group);
            BinaryPrimitives.WriteUInt16LittleEndian(h[2..], tag.Element);
            if (!explicitVR)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(h[4..], length);
                stream.Write(h[..8]);
                return;
            }

            h[4] = (byte)vr.Code[0];
            h[5] = (byte)vr.Code[1];
            if (vr.HasLongExplicitLength)
            {
                h[6] = 0;
                h[7] = 0;
                BinaryPrimitives.WriteUInt32LittleEndian(h[8..], length);
                stream.Write(h);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(h[6..], (ushort)length);
                stream.Write(h[..8]);
            }
        }

        private void WriteRaw(ushort group, ushort element, uint length)
        {
            var h = _header.AsSpan(0, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(h, group);
            BinaryPrimitives.WriteUInt16LittleEndian(h[2..], element);
            BinaryPrimitives.WriteUInt32LittleEndian(h[4..], length);
            stream.Write(h);
        }

        /// <summary>A short-length VR whose value outgrows 16 bits cannot be encoded explicitly; it goes out as UN, as dcmtk does.</summary>
        private static DicomVR EffectiveVR(DicomElement element, bool explicitVR) =>
            explicitVR && !element.ValueRepresentation.HasLongExplicitLength && element.Length > 0xFFFE ? DicomVR.UN : element.ValueRepresentation;

        public static long MeasureDataset(DicomDataset dataset, bool explicitVR)
        {
            long total = 0;
            foreach (var item in dataset)
            {
                total += item.Tag.IsGroupLength && item is DicomElement ? HeaderLength(DicomVR.UL, explicitVR) + 4 : MeasureItem(item, explicitVR);
            }

            return total;
        }

        private static long MeasureItem(DicomItem item, bool explicitVR)
        {
            switch (item)
            {
                case DicomElement element:
                    var length = element.Length + (element.Length & 1);
                    return HeaderLength(EffectiveVR(element, explicitVR), explicitVR) + length;
                case DicomSequence sequence:
                    long total = HeaderLength(DicomVR.SQ, explicitVR) + 8;
                    foreach (var child in sequence.Items)
                    {
                        total += 16 + MeasureDataset(child, explicitVR);
                    }

                    return total;
                case DicomFragmentSequence fragments:
                    long size = HeaderLength(fragments.ValueRepresentation, explicitVR) + 8 + (fragments.OffsetTable.Count * 4) + 8;
                    foreach (var fragment in fragments.Fragments)
                    {
                        size += 8 + fragment.Length + (fragment.Length & 1);
                    }

                    return size;
                default:
                    return 0;
            }
        }

        private static int HeaderLength(DicomVR vr, bool explicitVR) => !explicitVR ? 8 : vr.HasLongExplicitLength ? 12 : 8;
    }
}
