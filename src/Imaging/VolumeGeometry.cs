namespace LiverFlow.Imaging;

/// <summary>
/// The voxel grid of a volume in patient coordinates (DICOM LPS, mm).
/// Index i runs along the DICOM row direction (across columns), j along the column direction
/// (down rows), k along <see cref="SliceDirection"/> (slice order). The world position of voxel
/// (i, j, k) is Origin + i·ColumnSpacing·RowDirection + j·RowSpacing·ColumnDirection + k·SliceSpacing·SliceDirection,
/// which is the DICOM convention: ImagePositionPatient of the first slice is the origin,
/// ImageOrientationPatient gives RowDirection and ColumnDirection, PixelSpacing is (RowSpacing, ColumnSpacing).
/// </summary>
public sealed record VolumeGeometry
{
    public VolumeGeometry(
        int columns,
        int rows,
        int slices,
        Vector3d origin,
        Vector3d rowDirection,
        Vector3d columnDirection,
        Vector3d sliceDirection,
        double columnSpacing,
        double rowSpacing,
        double sliceSpacing)
    {
        if (columns < 1 || rows < 1 || slices < 1)
        {
            throw new ArgumentException($"A volume needs at least one voxel along each axis, got {columns}×{rows}×{slices}.");
        }

        if (!(columnSpacing > 0) || !(rowSpacing > 0) || !(sliceSpacing > 0))
        {
            throw new ArgumentException(
                FormattableString.Invariant($"Voxel spacing must be positive, got column {columnSpacing} mm, row {rowSpacing} mm, slice {sliceSpacing} mm."));
        }

        Columns = columns;
        Rows = rows;
        Slices = slices;
        Origin = origin;
        RowDirection = rowDirection.Normalized();
        ColumnDirection = columnDirection.Normalized();
        SliceDirection = sliceDirection.Normalized();
        if (Math.Abs(RowDirection.Dot(ColumnDirection)) > 1e-3
            || Math.Abs(RowDirection.Dot(SliceDirection)) > 1e-3
            || Math.Abs(ColumnDirection.Dot(SliceDirection)) > 1e-3)
        {
            throw new ArgumentException("Row, column and slice directions must be orthogonal (sheared grids are not supported).");
        }

        ColumnSpacing = columnSpacing;
        RowSpacing = rowSpacing;
        SliceSpacing = sliceSpacing;
    }

    public int Columns { get; }

    public int Rows { get; }

    public int Slices { get; }

    public Vector3d Origin { get; }

    /// <summary>Direction of increasing column index (first triplet of ImageOrientationPatient).</summary>
    public Vector3d RowDirection { get; }

    /// <summary>Direction of increasing row index (second triplet of ImageOrientationPatient).</summary>
    public Vector3d ColumnDirection { get; }

    /// <summary>Direction of increasing slice index.</summary>
    public Vector3d SliceDirection { get; }

    /// <summary>Distance between adjacent columns, mm (PixelSpacing[1]).</summary>
    public double ColumnSpacing { get; }

    /// <summary>Distance between adjacent rows, mm (PixelSpacing[0]).</summary>
    public double RowSpacing { get; }

    /// <summary>Distance between slice centres, mm.</summary>
    public double SliceSpacing { get; }

    public int VoxelCount => Columns * Rows * Slices;

    public int Index(int i, int j, int k) => i + Columns * (j + Rows * k);

    public Vector3d IndexToWorld(double i, double j, double k) =>
        Origin
        + RowDirection * (i * ColumnSpacing)
        + ColumnDirection * (j * RowSpacing)
        + SliceDirection * (k * SliceSpacing);

    /// <summary>Continuous voxel index of a world point (the inverse of <see cref="IndexToWorld"/>; exact because the axes are orthonormal).</summary>
    public (double I, double J, double K) WorldToIndex(Vector3d world)
    {
        var d = world - Origin;
        return (d.Dot(RowDirection) / ColumnSpacing, d.Dot(ColumnDirection) / RowSpacing, d.Dot(SliceDirection) / SliceSpacing);
    }

    /// <summary>World position of the first voxel of slice k: the ImagePositionPatient of that slice.</summary>
    public Vector3d SlicePosition(int k) => IndexToWorld(0, 0, k);

    public Vector3d Center => IndexToWorld((Columns - 1) / 2.0, (Rows - 1) / 2.0, (Slices - 1) / 2.0);

    public bool SameGridAs(VolumeGeometry other, double toleranceMm = 1e-3) =>
        Columns == other.Columns && Rows == other.Rows && Slices == other.Slices
        && (Origin - other.Origin).Length < toleranceMm
        && (RowDirection - other.RowDirection).Length < 1e-6
        && (ColumnDirection - other.ColumnDirection).Length < 1e-6
        && (SliceDirection - other.SliceDirection).Length < 1e-6
        && Math.Abs(ColumnSpacing - other.ColumnSpacing) < 1e-6
        && Math.Abs(RowSpacing - other.RowSpacing) < 1e-6
        && Math.Abs(SliceSpacing - other.SliceSpacing) < 1e-6;

    /// <summary>A sub-grid of this grid (same axes and spacing), clipped to it: how a patch around a lesion is addressed.</summary>
    public VolumeGeometry SubGrid(int iStart, int jStart, int kStart, int columns, int rows, int slices)
    {
        var i0 = Math.Clamp(iStart, 0, Columns - 1);
        var j0 = Math.Clamp(jStart, 0, Rows - 1);
        var k0 = Math.Clamp(kStart, 0, Slices - 1);
        var i1 = Math.Clamp(iStart + columns, i0 + 1, Columns);
        var j1 = Math.Clamp(jStart + rows, j0 + 1, Rows);
        var k1 = Math.Clamp(kStart + slices, k0 + 1, Slices);
        return new VolumeGeometry(i1 - i0, j1 - j0, k1 - k0, IndexToWorld(i0, j0, k0), RowDirection, ColumnDirection, SliceDirection, ColumnSpacing, RowSpacing, SliceSpacing);
    }

    /// <summary>Axial grid (rows run anterior→posterior, columns right→left, slices inferior→superior).</summary>
    public static VolumeGeometry Axial(int columns, int rows, int slices, Vector3d origin, double columnSpacing, double rowSpacing, double sliceSpacing) =>
        new(columns, rows, slices, origin, new Vector3d(1, 0, 0), new Vector3d(0, 1, 0), new Vector3d(0, 0, 1), columnSpacing, rowSpacing, sliceSpacing);
}
