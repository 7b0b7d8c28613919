namespace LiverFlow.Dicom.Imaging;

/// <summary>
/// Turns encapsulated pixel data that LiverFlow can decode (RLE Lossless) into native pixel data, so a
/// file can be re-written in Explicit VR Little Endian for peers that accept only uncompressed syntaxes.
/// </summary>
public static class DicomDecompressor
{
    /// <summary>A copy of <paramref name="file"/> in Explicit VR Little Endian with native pixel data.</summary>
    public static DicomFile Decompress(DicomFile file, DicomPixelDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var dataset = Decompress(file.Dataset, options);
        return new DicomFile(CopyMeta(file.FileMetaInfo), dataset);
    }

    /// <summary>
    /// A copy of <paramref name="dataset"/> whose Pixel Data is native: frames concatenated (1-bit frames
    /// packed back to back, frame i at bit i × Rows × Columns), samples interleaved (Planar Configuration 0).
    /// A data set that is already native is returned as a copy unchanged.
    /// </summary>
    public static DicomDataset Decompress(DicomDataset dataset, DicomPixelDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var copy = dataset.Clone();
        if (dataset.GetItem(DicomTag.PixelData) is not DicomFragmentSequence)
        {
            return copy;
        }

        var pixels = DicomPixelData.Create(dataset, options);
        if (!pixels.TransferSyntax.CanDecodePixelData)
        {
            throw new DicomPixelDataException($"Cannot decompress {pixels.TransferSyntax.UID.Name} ({pixels.TransferSyntax.UID.Value}): LiverFlow decodes RLE Lossless only.");
        }

        byte[] native;
        if (pixels.BitsAllocated == 1)
        {
            var bitsPerFrame = pixels.SamplesPerFrame;
            native = new byte[(((long)bitsPerFrame * pixels.NumberOfFrames) + 7) / 8];
            for (var frame = 0; frame < pixels.NumberOfFrames; frame++)
            {
                var bits = pixels.GetFrameData(frame).Span;
                var first = (long)frame * bitsPerFrame;
                for (var i = 0; i < bitsPerFrame; i++)
                {
                    if (((bits[i >> 3] >> (i & 7)) & 1) != 0)
                    {
                        var bit = first + i;
                        native[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                    }
                }
            }
        }
        else
        {
            native = new byte[(long)pixels.BytesPerFrame * pixels.NumberOfFrames];
            for (var frame = 0; frame < pixels.NumberOfFrames; frame++)
            {
                pixels.GetFrameData(frame).Span.CopyTo(native.AsSpan(frame * pixels.BytesPerFrame));
            }
        }

        copy.AddOrUpdate(new DicomElement(DicomTag.PixelData, pixels.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, native));
        if (pixels.SamplesPerPixel > 1)
        {
            copy.AddOrUpdate(DicomTag.PlanarConfiguration, (ushort)0);
        }

        copy.InternalTransferSyntax = DicomTransferSyntax.ExplicitVRLittleEndian;
        return copy;
    }

    private static DicomFileMetaInformation CopyMeta(DicomFileMetaInformation source)
    {
        var meta = new DicomFileMetaInformation();
        foreach (var item in source)
        {
            meta.AddOrUpdate(item);
        }

        meta.TransferSyntax = DicomTransferSyntax.ExplicitVRLittleEndian;
        return meta;
    }
}
