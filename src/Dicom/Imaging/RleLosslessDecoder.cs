using System.Buffers.Binary;

namespace LiverFlow.Dicom.Imaging;

/// <summary>
/// RLE Lossless (PS3.5 Annex G). A frame holds up to 15 segments, one per byte of each sample (most
/// significant byte first, sample by sample), each PackBits-encoded. Decoded frames come out
/// little endian with samples interleaved (Planar Configuration 0).
/// </summary>
public static class RleLosslessDecoder
{
    private const int HeaderLength = 64;

    /// <param name="encoded">The frame's fragment data: the 64-byte RLE header, then the segments.</param>
    /// <param name="samplesPerPixel">Samples per pixel.</param>
    /// <param name="bytesPerSample">Bits Allocated / 8 (1 for 1-bit data, whose segment holds the packed bits).</param>
    /// <param name="destination">Receives samplesPerPixel × bytesPerSample × segmentLength bytes.</param>
    /// <param name="segmentLength">Bytes each segment decodes to: Rows × Columns, or the packed bytes of a 1-bit frame.</param>
    public static void Decode(ReadOnlySpan<byte> encoded, int samplesPerPixel, int bytesPerSample, Span<byte> destination, int segmentLength)
    {
        if (encoded.Length < HeaderLength)
        {
            throw new DicomPixelDataException($"RLE frame of {encoded.Length} bytes is shorter than its 64-byte header (PS3.5 G.3.1).");
        }

        var segmentCount = BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        var expected = samplesPerPixel * bytesPerSample;
        if (expected > 15)
        {
            throw new DicomPixelDataException($"RLE Lossless holds at most 15 segments; {samplesPerPixel} sample(s) of {bytesPerSample} byte(s) would need {expected} (PS3.5 G.2).");
        }

        if (segmentCount != expected)
        {
            throw new DicomPixelDataException($"RLE frame has {segmentCount} segments; {samplesPerPixel} sample(s) of {bytesPerSample} byte(s) need {expected} (PS3.5 G.2).");
        }

        if (destination.Length < (long)expected * segmentLength)
        {
            throw new DicomPixelDataException("RLE destination buffer is too small for the frame.");
        }

        Span<int> offsets = stackalloc int[16];
        for (var i = 0; i < segmentCount; i++)
        {
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(encoded[(4 + (4 * i))..]);
            if (offset < HeaderLength || offset > encoded.Length || (i > 0 && offset < offsets[i - 1]))
            {
                throw new DicomPixelDataException($"RLE segment {i + 1} offset {offset} lies outside the {encoded.Length}-byte frame or before the previous segment.");
            }

            offsets[i] = (int)offset;
        }

        offsets[(int)segmentCount] = encoded.Length;
        var plane = segmentLength <= 1 << 16 ? stackalloc byte[segmentLength] : new byte[segmentLength];
        for (var segment = 0; segment < segmentCount; segment++)
        {
            DecodeSegment(encoded[offsets[segment]..offsets[segment + 1]], plane, segment);
            var sample = segment / bytesPerSample;
            var byteInSample = bytesPerSample - 1 - (segment % bytesPerSample);
            var stride = samplesPerPixel * bytesPerSample;
            var start = (sample * bytesPerSample) + byteInSample;
            if (stride == 1)
            {
                plane.CopyTo(destination);
                continue;
            }

            for (int p = 0, d = start; p < plane.Length; p++, d += stride)
            {
                destination[d] = plane[p];
            }
        }
    }

    /// <summary>PackBits: n in 0..127 copies n+1 literal bytes, n in -127..-1 repeats the next byte 1-n times, -128 is a no-op.</summary>
    internal static void DecodeSegment(ReadOnlySpan<byte> source, Span<byte> plane, int segmentIndex)
    {
        var written = 0;
        var position = 0;
        while (position < source.Length && written < plane.Length)
        {
            var header = (sbyte)source[position++];
            if (header >= 0)
            {
                var count = header + 1;
                if (position + count > source.Length || written + count > plane.Length)
                {
                    throw new DicomPixelDataException($"RLE segment {segmentIndex + 1}: a literal run of {count} bytes overruns the segment or the frame.");
                }

                source.Slice(position, count).CopyTo(plane[written..]);
                position += count;
                written += count;
            }
            else if (header != -128)
            {
                var count = 1 - header;
                if (position >= source.Length || written + count > plane.Length)
                {
                    throw new DicomPixelDataException($"RLE segment {segmentIndex + 1}: a replicate run of {count} bytes overruns the segment or the frame.");
                }

                plane.Slice(written, count).Fill(source[position++]);
                written += count;
            }
        }

        if (written != plane.Length)
        {
            throw new DicomPixelDataException($"RLE segment {segmentIndex + 1} decodes to {written} bytes; the frame needs {plane.Length}.");
        }
    }
}
