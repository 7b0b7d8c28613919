namespace LiverFlow.Imaging;

/// <summary>
/// The 24×24×12 sampling field of one lesion in patient coordinates. Each field voxel is the mean of
/// 2×2×2 trilinear samples at ±¼ voxel, which damps aliasing when a large lesion is shrunk into the field.
/// </summary>
public sealed record LesionField(Vector3d Centre, Vector3d AxisX, Vector3d AxisY, Vector3d AxisZ, Vector3d Spacing, Vector3d LesionExtentMm)
{
    public const int SubSamplesPerVoxel = 8;

    public Vector3d VoxelCentre(int x, int y, int z) =>
        Centre
        + AxisX * ((x - (LesionCrop.SizeX - 1) / 2.0) * Spacing.X)
        + AxisY * ((y - (LesionCrop.SizeY - 1) / 2.0) * Spacing.Y)
        + AxisZ * ((z - (LesionCrop.SizeZ - 1) / 2.0) * Spacing.Z);

    public void SubSamples(int x, int y, int z, Span<Vector3d> destination)
    {
        var centre = VoxelCentre(x, y, z);
        var n = 0;
        for (var dx = -1; dx <= 1; dx += 2)
        {
            for (var dy = -1; dy <= 1; dy += 2)
            {
                for (var dz = -1; dz <= 1; dz += 2)
                {
                    destination[n++] = centre + AxisX * (dx * Spacing.X / 4) + AxisY * (dy * Spacing.Y / 4) + AxisZ * (dz * Spacing.Z / 4);
                }
            }
        }
    }

    /// <summary>
    /// The voxels of a grid that sampling this field reads (the trilinear neighbours of every sub-sample, edge
    /// replication included), so a renderer can compute only those and still give a bit-identical crop.
    /// </summary>
    public bool[] VoxelsRead(VolumeGeometry grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var needed = new bool[grid.VoxelCount];
        Span<Vector3d> points = stackalloc Vector3d[SubSamplesPerVoxel];
        for (var x = 0; x < LesionCrop.SizeX; x++)
        {
            for (var y = 0; y < LesionCrop.SizeY; y++)
            {
                for (var z = 0; z < LesionCrop.SizeZ; z++)
                {
                    SubSamples(x, y, z, points);
                    foreach (var p in points)
                    {
                        var (i, j, k) = grid.WorldToIndex(p);
                        i = Math.Clamp(i, 0, grid.Columns - 1);
                        j = Math.Clamp(j, 0, grid.Rows - 1);
                        k = Math.Clamp(k, 0, grid.Slices - 1);
                        int i0 = (int)i, j0 = (int)j, k0 = (int)k;
                        int i1 = Math.Min(i0 + 1, grid.Columns - 1), j1 = Math.Min(j0 + 1, grid.Rows - 1), k1 = Math.Min(k0 + 1, grid.Slices - 1);
                        needed[grid.Index(i0, j0, k0)] = true;
                        needed[grid.Index(i1, j0, k0)] = true;
                        needed[grid.Index(i0, j1, k0)] = true;
                        needed[grid.Index(i1, j1, k0)] = true;
                        needed[grid.Index(i0, j0, k1)] = true;
                        needed[grid.Index(i1, j0, k1)] = true;
                        needed[grid.Index(i0, j1, k1)] = true;
                        needed[grid.Index(i1, j1, k1)] = true;
                    }
                }
            }
        }

        return needed;
    }
}
