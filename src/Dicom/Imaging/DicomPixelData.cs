using System.Buffers.Binary;

namespace LiverFlow.Dicom.Imaging;

/// <summary>Bounds for pixel data decoding: a malicious Rows × Columns × Frames cannot force a huge allocation.</summary>
public sealed record DicomPixelDataOptions
{
    public static DicomPixelDataOptions Default { get; } = new();

    /// <summary>Largest total pixel data (all frames, decoded) accepted, in bytes.</summary>
    public long MaxTotalBytes { get; init; } = 1L << 30;
}

/// <summary>
/// The Image Pixel module of a data set (PS3.3 C.7.6.3) and access to its frames: native frames as slices,
/// RLE Lossless frames decoded, samples as typed arrays with Bits Stored masking and sign extension, and
/// modality values through Rescale Slope/Intercept. 1-bit frames (SEG) may start mid-byte: frame i begins
/// at bit i × Rows × Columns (PS3.5 8.1.1).
/// </summary>
public sealed class DicomPixelData
{
    private readonly DicomDataset _dataset;
    private readonly DicomItem _pixelItem;

    private DicomPixelData(DicomDataset dataset, DicomItem pixelItem, DicomTransferSyntax syntax)
    {
        _dataset = dataset;
        _pixelItem = pixelItem;
        TransferSyntax = syntax;
        Rows = Require<ushort>(dataset, DicomTag.Rows);
        Columns = Require<ushort>(dataset, DicomTag.Columns);
        BitsAllocated = Require<ushort>(dataset, DicomTag.BitsAllocated);
        BitsStored = dataset.GetSingleValueOrDefault(DicomTag.BitsStored, BitsAllocated);
        HighBit = dataset.GetSingleValueOrDefault(DicomTag.HighBit, (ushort)(BitsStored - 1));
        PixelRepresentation = dataset.GetSingleValueOrDefault(DicomTag.PixelRepresentation, (ushort)0);
        SamplesPerPixel = dataset.GetSingleValueOrDefault(DicomTag.SamplesPerPixel, (ushort)1);
        PlanarConfiguration = dataset.GetSingleValueOrDefault(DicomTag.PlanarConfiguration, (ushort)0);
        NumberOfFrames = dataset.GetSingleValueOrDefault(DicomTag.NumberOfFrames, 1);
        PhotometricInterpretation = dataset.GetSingleValueOrDefault(DicomTag.PhotometricInterpretation, string.Empty);
        RescaleSlope = dataset.GetSingleValueOrDefault(DicomTag.RescaleSlope, 1.0);
        RescaleIntercept = dataset.GetSingleValueOrDefault(DicomTag.RescaleIntercept, 0.0);
    }

    public DicomTransferSyntax TransferSyntax { get; }

    public int Rows { get; }

    public int Columns { get; }

    public int BitsAllocated { get; }

    public int BitsStored { get; }

    public int HighBit { get; }

    /// <summary>0 unsigned, 1 two's complement.</summary>
    public int PixelRepresentation { get; }

    public bool IsSigned => PixelRepresentation == 1;

    public int SamplesPerPixel { get; }

    public int PlanarConfiguration { get; }

    public int NumberOfFrames { get; }

    public string PhotometricInterpretation { get; }

    public double RescaleSlope { get; }

    public double RescaleIntercept { get; }

    public int PixelsPerFrame => Rows * Columns;

    /// <summary>Samples in one frame (Rows × Columns × Samples per Pixel).</summary>
    public int SamplesPerFrame => Rows * Columns * SamplesPerPixel;

    public long BitsPerFrame => (long)SamplesPerFrame * BitsAllocated;

    /// <summary>Bytes one decoded frame occupies on its own (1-bit frames rounded up to whole bytes).</summary>
    public int BytesPerFrame => checked((int)((BitsPerFrame + 7) / 8));

    public static DicomPixelData Create(DicomDataset dataset, DicomPixelDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= DicomPixelDataOptions.Default;
        var item = dataset.GetItem(DicomTag.PixelData)
            ?? throw new DicomPixelDataException("The data set has no Pixel Data (7FE0,0010).");
        var syntax = dataset.InternalTransferSyntax;
        DicomPixelData pixels;
        try
        {
            pixels = new DicomPixelData(dataset, item, syntax);
        }
        catch (DicomDataException ex)
        {
            throw new DicomPixelDataException($"Image Pixel module is incomplete or invalid: {ex.Message}", ex);
        }

        pixels.Validate(options);
        return pixels;
    }

    private void Validate(DicomPixelDataOptions options)
    {
        if (Rows == 0 || Columns == 0)
        {
            throw new DicomPixelDataException($"Rows ({Rows}) and Columns ({Columns}) must both be positive.");
        }

        if (BitsAllocated is not (1 or 8 or 16 or 32))
        {
            throw new DicomPixelDataException($"Bits Allocated {BitsAllocated} is not supported (1, 8, 16 or 32).");
        }

        if (BitsStored < 1 || BitsStored > BitsAllocated || HighBit >= BitsAllocated || HighBit < BitsStored - 1)
        {
            throw new DicomPixelDataException($"Bits Stored {BitsStored} / High Bit {HighBit} are inconsistent with Bits Allocated {BitsAllocated}.");
        }

        if (SamplesPerPixel is < 1 or > 4)
        {
            throw new DicomPixelDataException($"Samples per Pixel {SamplesPerPixel} is not supported (1 to 4).");
        }

        if (NumberOfFrames < 1)
        {
            throw new DicomPixelDataException($"Number of Frames {NumberOfFrames} must be at least 1.");
        }

        // Computed in decimal so that no hostile combination of 16-bit and IS values can overflow the check itself.
        var totalBytes = Math.Ceiling((decimal)Rows * Columns * SamplesPerPixel * BitsAllocated * NumberOfFrames / 8);
        if (totalBytes > options.MaxTotalBytes || totalBytes > int.MaxValue)
        {
            throw new DicomPixelDataException($"Rows×Columns×Samples×Frames×Bits = {Rows}×{Columns}×{SamplesPerPixel}×{NumberOfFrames}×{BitsAllocated} needs {totalBytes} bytes, over the configured limit of {Math.Min(options.MaxTotalBytes, int.MaxValue)} bytes.");
        }

        if (_pixelItem is DicomElement native)
        {
            if (native.Length < totalBytes)
            {
                throw new DicomPixelDataException($"Pixel Data holds {native.Length} bytes but Rows×Columns×Samples×Frames×Bits = {Rows}×{Columns}×{SamplesPerPixel}×{NumberOfFrames}×{BitsAllocated} needs {totalBytes}.");
            }
        }
        else if (_pixelItem is DicomFragmentSequence fragments && fragments.Fragments.Count == 0)
        {
            throw new DicomPixelDataException("Encapsulated Pixel Data has no fragments.");
        }
    }

    /// <summary>
    /// The frame's bytes as stored natively (little endian, planar configuration as in the data set; RLE frames
    /// decoded with samples interleaved). 1-bit frames are re-packed to start at bit 0 of their first byte.
    /// </summary>
    public ReadOnlyMemory<byte> GetFrameData(int frame)
    {
        CheckFrame(frame);
        if (_pixelItem is DicomElement native)
        {
            if (BitsAllocated == 1)
            {
                return ExtractBits(native.Buffer.Span, (long)frame * PixelsPerFrame * SamplesPerPixel, SamplesPerFrame);
            }

            return native.Buffer.Slice(frame * BytesPerFrame, BytesPerFrame);
        }

        var encoded = GetEncodedFrame(frame);
        if (TransferSyntax != DicomTransferSyntax.RLELossless)
        {
            throw new DicomPixelDataException($"Pixel data in {TransferSyntax.UID.Name} ({TransferSyntax.UID.Value}) is kept as fragments but not decoded: LiverFlow decodes native and RLE Lossless pixel data only.");
        }

        var bytesPerSample = Math.Max(1, BitsAllocated / 8);
        var segmentLength = BitsAllocated == 1 ? BytesPerFrame : PixelsPerFrame;
        var decoded = new byte[Math.Max(BytesPerFrame, SamplesPerPixel * bytesPerSample * segmentLength)];
        RleLosslessDecoder.Decode(encoded.Span, SamplesPerPixel, bytesPerSample, decoded, segmentLength);
        return decoded.AsMemory(0, BytesPerFrame);
    }

    /// <summary>The compressed bytes of one frame, joined from its fragments (PS3.5 A.4).</summary>
    public ReadOnlyMemory<byte> GetEncodedFrame(int frame)
    {
        CheckFrame(frame);
        if (_pixelItem is not DicomFragmentSequence sequence)
        {
            throw new DicomPixelDataException("Pixel data is native, not encapsulated.");
        }

        var fragments = sequence.Fragments;
        if (fragments.Count == NumberOfFrames)
        {
            return fragments[frame];
        }

        if (NumberOfFrames == 1)
        {
            return Join(fragments);
        }

        if (sequence.OffsetTable.Count == NumberOfFrames)
        {
            // Offsets count from the first fragment's item tag; each fragment occupies 8 header bytes plus its length.
            var start = sequence.OffsetTable[frame];
            var end = frame + 1 < NumberOfFrames ? sequence.OffsetTable[frame + 1] : uint.MaxValue;
            var selected = new List<ReadOnlyMemory<byte>>();
            long position = 0;
            foreach (var fragment in fragments)
            {
                if (position >= start && position < end)
                {
                    selected.Add(fragment);
                }

                position += 8 + fragment.Length;
            }

            if (selected.Count == 0)
            {
                throw new DicomPixelDataException($"Basic Offset Table entry {start} for frame {frame} matches no fragment.");
            }

            return Join(selected);
        }

        throw new DicomPixelDataException($"{fragments.Count} fragments cannot be assigned to {NumberOfFrames} frames without a Basic Offset Table.");
    }

    /// <summary>
    /// Stored sample values of a frame, samples interleaved, with bits outside Bits Stored/High Bit cleared
    /// and, for signed data, the sign extended from Bits Stored. <typeparamref name="T"/> is byte/sbyte for 1- and 8-bit, ushort/short
    /// for 16-bit, uint/int for 32-bit data; int accepts any depth.
    /// </summary>
    public T[] GetFrame<T>(int frame)
        where T : unmanaged
    {
        var result = new T[SamplesPerFrame];
        CopyFrame<T>(frame, result);
        return result;
    }

    public void CopyFrame<T>(int frame, Span<T> destination)
        where T : unmanaged
    {
        CheckType<T>();
        if (destination.Length < SamplesPerFrame)
        {
            throw new DicomPixelDataException($"Destination holds {destination.Length} samples; a frame has {SamplesPerFrame}.");
        }

        var data = GetFrameData(frame).Span;
        if (TryCopyWordsFast(data, destination))
        {
            return;
        }

        var shift = HighBit + 1 - BitsStored;
        var mask = BitsStored >= 32 ? uint.MaxValue : (1u << BitsStored) - 1;
        var signBit = 1u << (BitsStored - 1);
        var count = SamplesPerFrame;
        var planar = PlanarConfiguration == 1 && SamplesPerPixel > 1 && _pixelItem is DicomElement;
        for (var i = 0; i < count; i++)
        {
            // Output is always sample-interleaved; colour-by-plane native data is read across its planes.
            var source = planar ? ((i % SamplesPerPixel) * PixelsPerFrame) + (i / SamplesPerPixel) : i;
            uint raw = BitsAllocated switch
            {
                1 => (uint)((data[source >> 3] >> (source & 7)) & 1),
                8 => data[source],
                16 => BinaryPrimitives.ReadUInt16LittleEndian(data[(source * 2)..]),
                _ => BinaryPrimitives.ReadUInt32LittleEndian(data[(source * 4)..]),
            };
            var stored = (raw >> shift) & mask;
            long value = IsSigned && (stored & signBit) != 0 ? (long)stored - (1L << BitsStored) : stored;
            destination[i] = Cast<T>(value);
        }
    }

    /// <summary>
    /// The common MR/CT case without per-sample branching: 16-bit samples, interleaved, High Bit = Bits Stored − 1,
    /// read into their natural type (ushort, short) or int.
    /// </summary>
    private bool TryCopyWordsFast<T>(ReadOnlySpan<byte> data, Span<T> destination)
        where T : unmanaged
    {
        if (BitsAllocated != 16 || HighBit != BitsStored - 1 || (PlanarConfiguration == 1 && SamplesPerPixel > 1) || !BitConverter.IsLittleEndian)
        {
            return false;
        }

        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(data[..(SamplesPerFrame * 2)]);
        var unused = 16 - BitsStored;
        if (typeof(T) == typeof(ushort) && !IsSigned)
        {
            var target = System.Runtime.InteropServices.MemoryMarshal.Cast<T, ushort>(destination);
            var mask = (ushort)(0xFFFF >> unused);
            for (var i = 0; i < words.Length; i++)
            {
                target[i] = (ushort)(words[i] & mask);
            }

            return true;
        }

        if (typeof(T) == typeof(short) && IsSigned)
        {
            var target = System.Runtime.InteropServices.MemoryMarshal.Cast<T, short>(destination);
            for (var i = 0; i < words.Length; i++)
            {
                // Shifting the stored bits to the top and back (arithmetic) extends the sign.
                target[i] = (short)((short)(words[i] << unused) >> unused);
            }

            return true;
        }

        if (typeof(T) == typeof(int))
        {
            var target = System.Runtime.InteropServices.MemoryMarshal.Cast<T, int>(destination);
            var mask = 0xFFFF >> unused;
            for (var i = 0; i < words.Length; i++)
            {
                target[i] = IsSigned ? (short)(words[i] << unused) >> unused : words[i] & mask;
            }

            return true;
        }

        return false;
    }

    /// <summary>Modality values (e.g. Hounsfield units): stored value × Rescale Slope + Rescale Intercept.</summary>
    public float[] GetModalityFrame(int frame)
    {
        var stored = GetFrame<int>(frame);
        var result = new float[stored.Length];
        for (var i = 0; i < stored.Length; i++)
        {
            result[i] = (float)((stored[i] * RescaleSlope) + RescaleIntercept);
        }

        return result;
    }

    private static T Cast<T>(long value)
        where T : unmanaged
    {
        if (typeof(T) == typeof(int))
        {
            return (T)(object)(int)value;
        }

        if (typeof(T) == typeof(ushort))
        {
            return (T)(object)(ushort)value;
        }

        if (typeof(T) == typeof(short))
        {
            return (T)(object)(short)value;
        }

        if (typeof(T) == typeof(byte))
        {
            return (T)(object)(byte)value;
        }

        if (typeof(T) == typeof(sbyte))
        {
            return (T)(object)(sbyte)value;
        }

        if (typeof(T) == typeof(uint))
        {
            return (T)(object)(uint)value;
        }

        return (T)(object)(long)value;
    }

    private void CheckType<T>()
    {
        var t = typeof(T);
        var ok = t == typeof(int) ? BitsAllocated < 32 || IsSigned
            : t == typeof(long) || (BitsAllocated switch
            {
                1 or 8 => t == (IsSigned ? typeof(sbyte) : typeof(byte)),
                16 => t == (IsSigned ? typeof(short) : typeof(ushort)),
                _ => t == (IsSigned ? typeof(int) : typeof(uint)),
            });
        if (!ok)
        {
            throw new DicomPixelDataException($"{(IsSigned ? "Signed" : "Unsigned")} {BitsAllocated}-bit samples cannot be read as {t.Name}.");
        }
    }

    private void CheckFrame(int frame)
    {
        if (frame < 0 || frame >= NumberOfFrames)
        {
            throw new DicomPixelDataException($"Frame {frame} does not exist; the image has {NumberOfFrames} frame(s).");
        }
    }

    private static byte[] ExtractBits(ReadOnlySpan<byte> source, long firstBit, int bitCount)
    {
        var result = new byte[(bitCount + 7) / 8];
        if ((firstBit & 7) == 0)
        {
            source.Slice((int)(firstBit >> 3), result.Length).CopyTo(result);
            if ((bitCount & 7) != 0)
            {
                result[^1] &= (byte)((1 << (bitCount & 7)) - 1);
            }

            return result;
        }

        // DICOM packs bits least significant first, so a frame starting mid-byte is shifted down.
        for (var i = 0; i < bitCount; i++)
        {
            var bit = firstBit + i;
            if (((source[(int)(bit >> 3)] >> (int)(bit & 7)) & 1) != 0)
            {
                result[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return result;
    }

    private static ReadOnlyMemory<byte> Join(IEnumerable<ReadOnlyMemory<byte>> fragments)
    {
        var list = fragments.ToList();
        if (list.Count == 1)
        {
            return list[0];
        }

        var result = new byte[list.Sum(f => (long)f.Length)];
        var offset = 0;
        foreach (var fragment in list)
        {
            fragment.Span.CopyTo(result.AsSpan(offset));
            offset += fragment.Length;
        }

        return result;
    }

    private static T Require<T>(DicomDataset dataset, DicomTag tag) => dataset.GetSingleValue<T>(tag);

    /// <summary>The data set this pixel description was read from.</summary>
    public DicomDataset Dataset => _dataset;
}
