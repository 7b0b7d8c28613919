using LiverFlow.Dicom;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Assembly;

namespace LiverFlow.Ingest.Lesions;

/// <summary>One frame of a segment: where it lies, and which of its pixels belong to the segment.</summary>
public sealed record SegmentFrame(Vector3d Position, Vector3d RowDirection, Vector3d ColumnDirection, double RowSpacing, double ColumnSpacing, int Columns, bool[] Pixels);

public sealed record Segment(int Number, string Label, IReadOnlyList<SegmentFrame> Frames);

/// <summary>Thrown for a SEG that cannot be read; the message says which attribute is wrong.</summary>
public sealed class SegmentationException(string message) : Exception(message);

/// <summary>
/// Reads a DICOM Segmentation (PS3.3 A.51): binary (1 bit per pixel, packed across frame boundaries,
/// so a frame need not start on a byte) or fractional (8 bit, over Maximum Fractional Value, counted
/// from one half). Each frame is placed by its Plane Position, or, when a writer left that out, by the
/// source image its Derivation Image Sequence names.
/// </summary>
public static class SegmentationReader
{
    public const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

    /// <param name="sourceSlices">Geometry of the study's images by SOP Instance UID (and frame), for frames placed by reference.</param>
    public static IReadOnlyList<Segment> Read(DicomDataset seg, IReadOnlyDictionary<(string Sop, int Frame), Volumes.SliceHeader> sourceSlices)
    {
        ArgumentNullException.ThrowIfNull(seg);
        ArgumentNullException.ThrowIfNull(sourceSlices);
        var rows = seg.Int(DicomTag.Rows) ?? throw new SegmentationException("SEG has no Rows (0028,0010)");
        var columns = seg.Int(DicomTag.Columns) ?? throw new SegmentationException("SEG has no Columns (0028,0011)");
        var frames = seg.Int(DicomTag.NumberOfFrames) ?? 1;
        var bits = seg.Int(DicomTag.BitsAllocated) ?? 1;
        var type = seg.Text(DicomTag.SegmentationType).ToUpperInvariant();
        if (type is not ("BINARY" or "FRACTIONAL" or "LABELMAP" or ""))
        {
            throw new SegmentationException($"Segmentation Type '{type}' is not BINARY, FRACTIONAL or LABELMAP");
        }
        if (seg.GetItem(DicomTag.PixelData) is not DicomElement pixelData)
        {
            throw new SegmentationException("SEG pixel data is compressed or absent; send it uncompressed");
        }
        var maxFraction = seg.Double(DicomTag.MaximumFractionalValue) ?? 255;
        var pixelsPerFrame = rows * columns;
        var data = pixelData.Buffer.Span;
        long neededBits = (long)frames * pixelsPerFrame * bits;
        if (data.Length * 8L < neededBits)
        {
            throw new SegmentationException($"SEG pixel data holds {data.Length} bytes; {frames} frames of {rows}×{columns} at {bits} bit need {(neededBits + 7) / 8}");
        }

        var labels = new Dictionary<int, string>();
        if (seg.TryGetSequence(DicomTag.SegmentSequence, out var segments))
        {
            foreach (var item in segments.Items)
            {
                if (item.Int(DicomTag.SegmentNumber) is { } n)
                {
                    labels[n] = item.Text(DicomTag.SegmentLabel);
                }
            }
        }
        var shared = seg.Item(DicomTag.SharedFunctionalGroupsSequence);
        var perFrame = seg.TryGetSequence(DicomTag.PerFrameFunctionalGroupsSequence, out var pf) ? pf.Items : [];
        if (perFrame.Count < frames)
        {
            throw new SegmentationException($"SEG has {frames} frames but {perFrame.Count} Per-Frame Functional Groups items");
        }

        var byNumber = new SortedDictionary<int, List<SegmentFrame>>();
        for (var f = 0; f < frames; f++)
        {
            var own = perFrame[f];
            DicomDataset? Group(DicomTag sequence) => own.Item(sequence) ?? shared?.Item(sequence);
            var segmentNumber = Group(DicomTag.SegmentIdentificationSequence)?.Int(DicomTag.ReferencedSegmentNumber)
                ?? (labels.Count == 1 ? labels.Keys.First() : throw new SegmentationException($"SEG frame {f + 1} names no Referenced Segment Number"));

            var pixels = new bool[pixelsPerFrame];
            var any = false;
            for (var p = 0; p < pixelsPerFrame; p++)
            {
                bool on;
                if (bits == 1)
                {
                    var bit = (long)f * pixelsPerFrame + p;
                    on = (data[(int)(bit >> 3)] & (1 << (int)(bit & 7))) != 0;
                }
                else if (bits == 8)
                {
                    var value = data[f * pixelsPerFrame + p];
                    on = type == "FRACTIONAL" ? value / maxFraction >= 0.5 : value != 0;
                }
                else
                {
                    throw new SegmentationException($"SEG with {bits} bits allocated is not supported (1 or 8)");
                }
                pixels[p] = on;
                any |= on;
            }
            if (!any)
            {
                continue;
            }

            var (position, row, column, rowSpacing, columnSpacing) = Place(f, Group, sourceSlices);
            if (!byNumber.TryGetValue(segmentNumber, out var list))
            {
                byNumber[segmentNumber] = list = [];
            }
            list.Add(new SegmentFrame(position, row, column, rowSpacing, columnSpacing, columns, pixels));
        }
        // Segments declared without any set pixel are not lesions: they drop out here.
        return byNumber.Select(kv => new Segment(kv.Key, labels.GetValueOrDefault(kv.Key, $"segment {kv.Key}"), kv.Value)).ToList();
    }

    private static (Vector3d Position, Vector3d Row, Vector3d Column, double RowSpacing, double ColumnSpacing) Place(
        int frame, Func<DicomTag, DicomDataset?> group, IReadOnlyDictionary<(string Sop, int Frame), Volumes.SliceHeader> sources)
    {
        var position = group(DicomTag.PlanePositionSequence)?.Vector(DicomTag.ImagePositionPatient);
        var orientation = group(DicomTag.PlaneOrientationSequence)?.Doubles(DicomTag.ImageOrientationPatient, 6);
        var spacing = group(DicomTag.PixelMeasuresSequence)?.Doubles(DicomTag.PixelSpacing, 2);
        if (position is null || orientation is null || spacing is null)
        {
            var source = group(DicomTag.DerivationImageSequence)?.Item(DicomTag.SourceImageSequence);
            var sop = source?.Text(DicomTag.ReferencedSOPInstanceUID);
            var referencedFrame = (source?.Int(DicomTag.ReferencedFrameNumber) ?? 1) - 1;
            if (sop is { Length: > 0 } && sources.TryGetValue((sop, referencedFrame), out var slice))
            {
                position ??= slice.ImagePositionPatient;
                orientation ??= [slice.RowDirection.X, slice.RowDirection.Y, slice.RowDirection.Z, slice.ColumnDirection.X, slice.ColumnDirection.Y, slice.ColumnDirection.Z];
                spacing ??= [slice.RowSpacing, slice.ColumnSpacing];
            }
        }
        if (position is null || orientation is null || spacing is null)
        {
            throw new SegmentationException($"SEG frame {frame + 1} cannot be placed: no Plane Position/Orientation or Pixel Measures, and no source image of the study is referenced");
        }
        return (position.Value, new Vector3d(orientation[0], orientation[1], orientation[2]), new Vector3d(orientation[3], orientation[4], orientation[5]), spacing[0], spacing[1]);
    }

    /// <summary>
    /// Puts a segment onto a volume grid: each set pixel's centre goes to the nearest voxel. A SEG drawn
    /// on the grid itself maps one to one; on another grid the mask follows the anatomy in world space.
    /// </summary>
    public static bool[] Rasterize(Segment segment, VolumeGeometry grid)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(grid);
        var mask = new bool[grid.VoxelCount];
        foreach (var frame in segment.Frames)
        {
            var row = frame.RowDirection.Normalized();
            var column = frame.ColumnDirection.Normalized();
            var width = frame.Columns;
            for (var p = 0; p < frame.Pixels.Length; p++)
            {
                if (!frame.Pixels[p])
                {
                    continue;
                }
                var r = p / width;
                var c = p % width;
                var world = frame.Position + row * (c * frame.ColumnSpacing) + column * (r * frame.RowSpacing);
                var (i, j, k) = grid.WorldToIndex(world);
                var ii = (int)Math.Round(i);
                var jj = (int)Math.Round(j);
                var kk = (int)Math.Round(k);
                if (ii >= 0 && jj >= 0 && kk >= 0 && ii < grid.Columns && jj < grid.Rows && kk < grid.Slices)
                {
                    mask[grid.Index(ii, jj, kk)] = true;
                }
            }
        }
        return mask;
    }
}
