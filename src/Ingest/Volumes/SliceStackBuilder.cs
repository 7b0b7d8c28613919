using System.Globalization;
using LiverFlow.Imaging;

namespace LiverFlow.Ingest.Volumes;

/// <summary>The geometry of one image (a single-frame instance or one frame of a multi-frame instance).</summary>
public sealed record SliceHeader
{
    /// <summary>Where the pixels come from: the instance, and the frame within it (0 for single-frame images).</summary>
    public required string SopInstanceUid { get; init; }
    public int FrameIndex { get; init; }
    public int? InstanceNumber { get; init; }
    public required Vector3d ImagePositionPatient { get; init; }
    /// <summary>First triplet of ImageOrientationPatient: direction of increasing column index.</summary>
    public required Vector3d RowDirection { get; init; }
    /// <summary>Second triplet of ImageOrientationPatient: direction of increasing row index.</summary>
    public required Vector3d ColumnDirection { get; init; }
    /// <summary>PixelSpacing[0]: distance between rows, mm.</summary>
    public required double RowSpacing { get; init; }
    /// <summary>PixelSpacing[1]: distance between columns, mm.</summary>
    public required double ColumnSpacing { get; init; }
    public required int Rows { get; init; }
    public required int Columns { get; init; }
    public double? SliceThickness { get; init; }
}

/// <summary>Slices that make one regular 3D grid, in the order of their position along the slice normal.</summary>
public sealed record SliceStack(VolumeGeometry Geometry, IReadOnlyList<SliceHeader> Slices, IReadOnlyList<string> Notes);

/// <summary>A set of slices that could not be stacked, and why.</summary>
public sealed record RejectedSliceGroup(IReadOnlyList<SliceHeader> Slices, string Reason);

public sealed record SliceStackResult(IReadOnlyList<SliceStack> Stacks, IReadOnlyList<RejectedSliceGroup> Rejected);

/// <summary>
/// Turns the images of a series into regular 3D grids in patient coordinates. Slices are ordered by
/// their position along the slice normal (InstanceNumber is only an acquisition counter), the spacing
/// comes from those positions (SliceThickness may differ from it, and often does), and anything that
/// would make a stack lie about anatomy — several orientations, gaps, duplicates, shear — splits or
/// rejects it instead of stacking it.
/// </summary>
public static class SliceStackBuilder
{
    /// <summary>Direction cosines closer than this (1 − dot product) count as the same orientation.</summary>
    private const double OrientationTolerance = 1e-4;
    /// <summary>Positions closer than this along the normal are the same slice position, mm.</summary>
    private const double SamePositionMm = 0.01;
    /// <summary>Relative deviation of one slice gap from the median gap that is still regular.</summary>
    private const double SpacingTolerance = 0.1;
    /// <summary>In-plane offset between consecutive slices (gantry tilt, shear) still accepted, mm.</summary>
    private const double ShearToleranceMm = 0.1;

    public static SliceStackResult Build(IReadOnlyList<SliceHeader> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        var stacks = new List<SliceStack>();
        var rejected = new List<RejectedSliceGroup>();
        var groups = GroupByGrid(slices);
        foreach (var group in groups)
        {
            var outcome = BuildOne(group);
            if (outcome.Stack is { } stack)
            {
                var notes = groups.Count > 1
                    ? stack.Notes.Prepend($"one of {groups.Count} orientations or in-plane grids in the series, kept apart").ToList()
                    : stack.Notes;
                stacks.Add(stack with { Notes = notes });
            }
            else
            {
                rejected.Add(new RejectedSliceGroup(group, outcome.Reason!));
            }
        }
        return new SliceStackResult(stacks, rejected);
    }

    private static List<List<SliceHeader>> GroupByGrid(IReadOnlyList<SliceHeader> slices)
    {
        var groups = new List<List<SliceHeader>>();
        foreach (var slice in slices)
        {
            var group = groups.FirstOrDefault(g => SameGrid(g[0], slice));
            if (group is null)
            {
                groups.Add([slice]);
            }
            else
            {
                group.Add(slice);
            }
        }
        return groups;
    }

    private static bool SameGrid(SliceHeader a, SliceHeader b) =>
        a.Rows == b.Rows && a.Columns == b.Columns
        && Math.Abs(a.RowSpacing - b.RowSpacing) < 1e-4 && Math.Abs(a.ColumnSpacing - b.ColumnSpacing) < 1e-4
        && 1 - a.RowDirection.Normalized().Dot(b.RowDirection.Normalized()) < OrientationTolerance
        && 1 - a.ColumnDirection.Normalized().Dot(b.ColumnDirection.Normalized()) < OrientationTolerance;

    private static (SliceStack? Stack, string? Reason) BuildOne(List<SliceHeader> group)
    {
        var first = group[0];
        var row = first.RowDirection.Normalized();
        var column = first.ColumnDirection.Normalized();
        if (Math.Abs(row.Dot(column)) > 1e-3)
        {
            return (null, "ImageOrientationPatient row and column directions are not perpendicular");
        }
        var normal = row.Cross(column).Normalized();
        var ordered = group.Select(s => (Slice: s, Along: s.ImagePositionPatient.Dot(normal)))
            .OrderBy(x => x.Along).ThenBy(x => x.Slice.InstanceNumber ?? 0).ToList();

        if (ordered.Count < 2 || ordered[^1].Along - ordered[0].Along < SamePositionMm)
        {
            return (null, ordered.Count < 2
                ? "a single image is not a volume"
                : $"all {ordered.Count} images lie at one position: a time series or repeated acquisition, not a volume");
        }

        var duplicates = ordered.Zip(ordered.Skip(1)).Where(p => p.Second.Along - p.First.Along < SamePositionMm).ToList();
        if (duplicates.Count > 0)
        {
            var (a, b) = duplicates[0];
            return (null, string.Create(CultureInfo.InvariantCulture,
                $"{duplicates.Count} images share a slice position with another (first at {a.Along:0.##} mm along the normal, instances {a.Slice.InstanceNumber} and {b.Slice.InstanceNumber}): repeated acquisitions must be split by temporal position first"));
        }

        var gaps = ordered.Zip(ordered.Skip(1), (a, b) => b.Along - a.Along).ToList();
        var spacing = Median(gaps);
        for (var k = 0; k < gaps.Count; k++)
        {
            if (Math.Abs(gaps[k] - spacing) > SpacingTolerance * spacing)
            {
                var missing = Math.Round(gaps[k] / spacing) - 1;
                return (null, missing >= 1
                    ? string.Create(CultureInfo.InvariantCulture, $"gap: about {missing:0} slice(s) missing between {ordered[k].Along:0.##} and {ordered[k + 1].Along:0.##} mm along the normal (spacing {spacing:0.###} mm)")
                    : string.Create(CultureInfo.InvariantCulture, $"irregular slice spacing: {gaps[k]:0.###} mm between two slices where the others are {spacing:0.###} mm"));
            }
        }

        var origin = ordered[0].Slice.ImagePositionPatient;
        foreach (var (slice, along) in ordered)
        {
            var offset = slice.ImagePositionPatient - origin;
            var inPlane = offset - normal * offset.Dot(normal);
            if (inPlane.Length > ShearToleranceMm + 1e-3 * Math.Abs(along - ordered[0].Along))
            {
                return (null, string.Create(CultureInfo.InvariantCulture,
                    $"slices are offset in-plane by {inPlane.Length:0.##} mm (gantry tilt or shear): not a regular grid"));
            }
        }

        var notes = new List<string>();
        if (first.SliceThickness is { } thickness && Math.Abs(thickness - spacing) > 0.01 * spacing)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"slice spacing {spacing:0.###} mm from positions differs from SliceThickness {thickness:0.###} mm; positions are used"));
        }
        var geometry = new VolumeGeometry(first.Columns, first.Rows, ordered.Count, origin, row, column, normal,
            first.ColumnSpacing, first.RowSpacing, spacing);
        return (new SliceStack(geometry, ordered.Select(x => x.Slice).ToList(), notes), null);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
