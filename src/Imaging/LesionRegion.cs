namespace LiverFlow.Imaging;

/// <summary>
/// Where a lesion is: the centres of its voxels in patient coordinates plus the size of one voxel,
/// so its extent along any direction can be measured whatever grid it was drawn on (a SEG frame
/// grid, the arterial grid, or a box from a JSON sidecar).
/// </summary>
public sealed class LesionRegion
{
    private readonly Vector3d[] voxelCentres;
    private readonly VolumeGeometry? voxelGrid;

    private LesionRegion(Vector3d[] voxelCentres, VolumeGeometry? voxelGrid)
    {
        this.voxelCentres = voxelCentres;
        this.voxelGrid = voxelGrid;
    }

    public int VoxelCount => voxelGrid is null ? 0 : voxelCentres.Length;

    /// <summary>Lesion volume in mm³ (0 for a box region).</summary>
    public double VolumeMm3 => voxelGrid is null ? 0 : voxelCentres.Length * voxelGrid.ColumnSpacing * voxelGrid.RowSpacing * voxelGrid.SliceSpacing;

    /// <summary>A lesion drawn as a mask: every voxel above <paramref name="threshold"/> belongs to it.</summary>
    public static LesionRegion FromMask(ImageVolume mask, float threshold = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var g = mask.Geometry;
        var points = new List<Vector3d>();
        for (var k = 0; k < g.Slices; k++)
        {
            for (var j = 0; j < g.Rows; j++)
            {
                for (var i = 0; i < g.Columns; i++)
                {
                    if (mask.Voxels[g.Index(i, j, k)] > threshold)
                    {
                        points.Add(g.IndexToWorld(i, j, k));
                    }
                }
            }
        }

        if (points.Count == 0)
        {
            throw new LesionCropException("The lesion mask is empty: no voxel is above the threshold.");
        }

        return new LesionRegion([.. points], g);
    }

    /// <summary>A lesion given as an inclusive voxel box on a grid (the JSON sidecar form).</summary>
    public static LesionRegion FromVoxelBox(VolumeGeometry grid, int iMin, int jMin, int kMin, int iMax, int jMax, int kMax)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (iMin > iMax || jMin > jMax || kMin > kMax)
        {
            throw new LesionCropException($"The lesion box is empty: [{iMin}..{iMax}]×[{jMin}..{jMax}]×[{kMin}..{kMax}].");
        }

        var corners = new List<Vector3d>(8);
        foreach (var i in new[] { iMin - 0.5, iMax + 0.5 })
        {
            foreach (var j in new[] { jMin - 0.5, jMax + 0.5 })
            {
                foreach (var k in new[] { kMin - 0.5, kMax + 0.5 })
                {
                    corners.Add(grid.IndexToWorld(i, j, k));
                }
            }
        }

        return new LesionRegion([.. corners], null);
    }

    /// <summary>Projection interval of the lesion on a unit direction, including the voxels' own size.</summary>
    public (double Min, double Max) Extent(Vector3d axis)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var p in voxelCentres)
        {
            var t = p.Dot(axis);
            min = Math.Min(min, t);
            max = Math.Max(max, t);
        }

        if (voxelGrid is not null)
        {
            var half = 0.5 * (Math.Abs(axis.Dot(voxelGrid.RowDirection)) * voxelGrid.ColumnSpacing
                + Math.Abs(axis.Dot(voxelGrid.ColumnDirection)) * voxelGrid.RowSpacing
                + Math.Abs(axis.Dot(voxelGrid.SliceDirection)) * voxelGrid.SliceSpacing);
            min -= half;
            max += half;
        }

        return (min, max);
    }

    /// <summary>Centroid of the voxel centres (for a box: its centre).</summary>
    public Vector3d Centroid
    {
        get
        {
            var sum = Vector3d.Zero;
            foreach (var p in voxelCentres)
            {
                sum += p;
            }

            return sum / voxelCentres.Length;
        }
    }
}
