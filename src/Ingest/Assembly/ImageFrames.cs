using System.Buffers.Binary;
using LiverFlow.Dicom;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Volumes;

namespace LiverFlow.Ingest.Assembly;

/// <summary>One 2D image: a single-frame instance, or one frame of an Enhanced (multi-frame) instance, with what it takes to place and decode it.</summary>
public sealed record ImageFrame(
    string SeriesInstanceUid,
    SliceHeader Slice,
    DicomDataset Dataset,
    int? TemporalPosition,
    TimeOnly? AcquisitionTime,
    double RescaleSlope,
    double RescaleIntercept)
{
    /// <summary>
    /// Frame Type (0008,9007) of an Enhanced frame (e.g. ORIGINAL\PRIMARY\T1\M or …\FIELD_MAP), or
    /// null for a classic image, whose Image Type is the instance's.
    /// </summary>
    public IReadOnlyList<string>? FrameType { get; init; }
}

/// <summary>Thrown when an image cannot become voxels; the message is the reason a person reads.</summary>
public sealed class ImageDecodeException(string message) : Exception(message);

/// <summary>
/// Turns image instances into frames with geometry. Classic images carry their geometry at the top
/// level; Enhanced MR/CT carry it in the shared and per-frame functional groups (PS3.3 C.7.6.16),
/// per frame values overriding shared ones.
/// </summary>
public static class ImageFrames
{
    public static IReadOnlyList<ImageFrame> Extract(DicomDataset ds)
    {
        ArgumentNullException.ThrowIfNull(ds);
        var sop = ds.Text(DicomTag.SOPInstanceUID);
        var series = ds.Text(DicomTag.SeriesInstanceUID);
        var rows = ds.Int(DicomTag.Rows) ?? 0;
        var columns = ds.Int(DicomTag.Columns) ?? 0;
        if (rows <= 0 || columns <= 0 || !ds.Contains(DicomTag.PixelData))
        {
            return [];
        }
        var acquisition = ds.Time(DicomTag.AcquisitionTime) ?? ds.Time(DicomTag.SeriesTime);
        var instanceNumber = ds.Int(DicomTag.InstanceNumber);
        var frames = ds.Int(DicomTag.NumberOfFrames) ?? 1;
        var perFrame = ds.TryGetSequence(DicomTag.PerFrameFunctionalGroupsSequence, out var pf) ? pf.Items : null;
        var shared = ds.Item(DicomTag.SharedFunctionalGroupsSequence);

        if (perFrame is null && shared is null)
        {
            var slice = Slice(sop, 0, instanceNumber, rows, columns, ds.Vector(DicomTag.ImagePositionPatient),
                ds.Doubles(DicomTag.ImageOrientationPatient, 6), ds.Doubles(DicomTag.PixelSpacing, 2), ds.Double(DicomTag.SliceThickness));
            if (slice is null)
            {
                return [];
            }
            var temporal = ds.Int(DicomTag.TemporalPositionIdentifier);
            return [new ImageFrame(series, slice, ds, temporal, acquisition, ds.Double(DicomTag.RescaleSlope) ?? 1, ds.Double(DicomTag.RescaleIntercept) ?? 0)];
        }

        var result = new List<ImageFrame>(frames);
        for (var f = 0; f < frames; f++)
        {
            var own = perFrame is not null && f < perFrame.Count ? perFrame[f] : null;
            DicomDataset? Group(DicomTag sequence) => own?.Item(sequence) ?? shared?.Item(sequence);
            var position = Group(DicomTag.PlanePositionSequence)?.Vector(DicomTag.ImagePositionPatient);
            var orientation = Group(DicomTag.PlaneOrientationSequence)?.Doubles(DicomTag.ImageOrientationPatient, 6);
            var measures = Group(DicomTag.PixelMeasuresSequence);
            var slice = Slice(sop, f, instanceNumber, rows, columns, position, orientation,
                measures?.Doubles(DicomTag.PixelSpacing, 2), measures?.Double(DicomTag.SliceThickness));
            if (slice is null)
            {
                continue;
            }
            var content = Group(DicomTag.FrameContentSequence);
            var frameType = (Group(DicomTag.MRImageFrameTypeSequence) ?? Group(DicomTag.CTImageFrameTypeSequence))?.Texts(DicomTag.FrameType);
            var transform = Group(DicomTag.PixelValueTransformationSequence);
            var frameTime = content?.Text(DicomTag.FrameAcquisitionDateTime) is { Length: >= 10 } dt ? DicomValues.ParseTime(dt[8..]) : null;
            result.Add(new ImageFrame(series, slice, ds, content?.Int(DicomTag.TemporalPositionIndex) ?? ds.Int(DicomTag.TemporalPositionIdentifier),
                frameTime ?? acquisition, transform?.Double(DicomTag.RescaleSlope) ?? ds.Double(DicomTag.RescaleSlope) ?? 1,
                transform?.Double(DicomTag.RescaleIntercept) ?? ds.Double(DicomTag.RescaleIntercept) ?? 0)
            {
                FrameType = frameType is { Length: > 0 } ? frameType : null,
            });
        }
        return result;
    }

    private static SliceHeader? Slice(string sop, int frame, int? instanceNumber, int rows, int columns, Vector3d? position, double[]? orientation,
        double[]? spacing, double? thickness)
    {
        if (position is null || orientation is null || spacing is null || spacing[0] <= 0 || spacing[1] <= 0)
        {
            return null;
        }
        var row = new Vector3d(orientation[0], orientation[1], orientation[2]);
        var column = new Vector3d(orientation[3], orientation[4], orientation[5]);
        if (row.Length < 1e-6 || column.Length < 1e-6)
        {
            return null;
        }
        return new SliceHeader
        {
            SopInstanceUid = sop,
            FrameIndex = frame,
            InstanceNumber = instanceNumber,
            ImagePositionPatient = position.Value,
            RowDirection = row,
            ColumnDirection = column,
            RowSpacing = spacing[0],
            ColumnSpacing = spacing[1],
            Rows = rows,
            Columns = columns,
            SliceThickness = thickness,
        };
    }

    /// <summary>
    /// Decodes one frame of native (uncompressed) grayscale pixel data into <paramref name="target"/>,
    /// applying the modality rescale. Encapsulated (compressed) data is refused with the syntax named.
    /// </summary>
    public static void Decode(ImageFrame frame, Span<float> target)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var ds = frame.Dataset;
        var pixelCount = frame.Slice.Rows * frame.Slice.Columns;
        if (target.Length != pixelCount)
        {
            throw new ArgumentException($"Target holds {target.Length} pixels, the frame has {pixelCount}.", nameof(target));
        }
        if (ds.GetItem(DicomTag.PixelData) is not DicomElement pixels)
        {
            throw new ImageDecodeException($"pixel data is compressed ({ds.InternalTransferSyntax.UID.Name}); send it uncompressed (Explicit VR Little Endian)");
        }
        var samples = ds.Int(DicomTag.SamplesPerPixel) ?? 1;
        if (samples != 1)
        {
            throw new ImageDecodeException($"{samples} samples per pixel (colour): a volume needs grayscale images");
        }
        var bits = ds.Int(DicomTag.BitsAllocated) ?? 16;
        var stored = ds.Int(DicomTag.BitsStored) ?? bits;
        var signed = (ds.Int(DicomTag.PixelRepresentation) ?? 0) == 1;
        var bytesPerPixel = bits / 8;
        if (bits is not (8 or 16 or 32))
        {
            throw new ImageDecodeException($"{bits} bits allocated per pixel is not a supported image depth");
        }
        var frameBytes = pixelCount * bytesPerPixel;
        var offset = (long)frame.Slice.FrameIndex * frameBytes;
        var buffer = pixels.Buffer.Span;
        if (offset + frameBytes > buffer.Length)
        {
            throw new ImageDecodeException($"pixel data ends before frame {frame.Slice.FrameIndex + 1}: {buffer.Length} bytes for {frameBytes} per frame");
        }
        var data = buffer.Slice((int)offset, frameBytes);
        var slope = frame.RescaleSlope;
        var intercept = frame.RescaleIntercept;
        var shift = 32 - Math.Clamp(stored, 1, 32);
        var shift16 = 16 - Math.Clamp(stored, 1, 16);
        var mask16 = stored >= 16 ? 0xFFFF : (1 << stored) - 1;
        for (var p = 0; p < pixelCount; p++)
        {
            double raw = bits switch
            {
                8 => signed ? (sbyte)data[p] : data[p],
                // Bits above Bits Stored may hold overlays or garbage: mask them, then sign-extend from the stored high bit.
                16 => signed
                    ? (short)(BinaryPrimitives.ReadInt16LittleEndian(data[(2 * p)..]) << shift16) >> shift16
                    : BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * p)..]) & mask16,
                _ => signed ? BinaryPrimitives.ReadInt32LittleEndian(data[(4 * p)..]) << shift >> shift : BinaryPrimitives.ReadUInt32LittleEndian(data[(4 * p)..]),
            };
            target[p] = (float)(raw * slope + intercept);
        }
    }
}
