namespace LiverFlow.Imaging;

/// <summary>A scalar 3D image in patient coordinates; voxel (i, j, k) is stored at i + Columns·(j + Rows·k).</summary>
public sealed class ImageVolume
{
    public ImageVolume(VolumeGeometry geometry, float[] voxels)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(voxels);
        if (voxels.Length != geometry.VoxelCount)
        {
            throw new ArgumentException(
                $"Voxel buffer holds {voxels.Length} values but the grid {geometry.Columns}×{geometry.Rows}×{geometry.Slices} needs {geometry.VoxelCount}.",
                nameof(voxels));
        }

        Geometry = geometry;
        Voxels = voxels;
    }

    public ImageVolume(VolumeGeometry geometry)
        : this(geometry, new float[geometry.VoxelCount])
    {
    }

    public VolumeGeometry Geometry { get; }

    public float[] Voxels { get; }

    public float this[int i, int j, int k]
    {
        get => Voxels[Geometry.Index(i, j, k)];
        set => Voxels[Geometry.Index(i, j, k)] = value;
    }

    /// <summary>
    /// Trilinear interpolation at a continuous voxel index. Outside the grid the nearest edge voxel is
    /// used (replicate padding), so a lesion near the field of view's edge gets plausible tissue rather than zeros.
    /// </summary>
    public float SampleIndex(double i, double j, double k)
    {
        var g = Geometry;
        i = Math.Clamp(i, 0, g.Columns - 1);
        j = Math.Clamp(j, 0, g.Rows - 1);
        k = Math.Clamp(k, 0, g.Slices - 1);
        int i0 = (int)i, j0 = (int)j, k0 = (int)k;
        int i1 = Math.Min(i0 + 1, g.Columns - 1), j1 = Math.Min(j0 + 1, g.Rows - 1), k1 = Math.Min(k0 + 1, g.Slices - 1);
        double fi = i - i0, fj = j - j0, fk = k - k0;
        var v = Voxels;
        int cr = g.Columns, plane = g.Columns * g.Rows;
        double c00 = v[i0 + cr * j0 + plane * k0] * (1 - fi) + v[i1 + cr * j0 + plane * k0] * fi;
        double c10 = v[i0 + cr * j1 + plane * k0] * (1 - fi) + v[i1 + cr * j1 + plane * k0] * fi;
        double c01 = v[i0 + cr * j0 + plane * k1] * (1 - fi) + v[i1 + cr * j0 + plane * k1] * fi;
        double c11 = v[i0 + cr * j1 + plane * k1] * (1 - fi) + v[i1 + cr * j1 + plane * k1] * fi;
        double c0 = c00 * (1 - fj) + c10 * fj;
        double c1 = c01 * (1 - fj) + c11 * fj;
        return (float)(c0 * (1 - fk) + c1 * fk);
    }

    /// <summary>Trilinear interpolation at a world point (replicate padding outside the grid).</summary>
    public float SampleWorld(Vector3d world)
    {
        var (i, j, k) = Geometry.WorldToIndex(world);
        return SampleIndex(i, j, k);
    }

    /// <summary>Whether a world point lies within the grid (half a voxel beyond the outer voxel centres counts as inside).</summary>
    public bool ContainsWorld(Vector3d world)
    {
        var (i, j, k) = Geometry.WorldToIndex(world);
        return i >= -0.5 && j >= -0.5 && k >= -0.5
            && i <= Geometry.Columns - 0.5 && j <= Geometry.Rows - 0.5 && k <= Geometry.Slices - 0.5;
    }

    /// <summary>Resample this volume onto another grid through world coordinates (how phases are brought onto the arterial grid).</summary>
    public ImageVolume ResampleTo(VolumeGeometry target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var output = new float[target.VoxelCount];
        for (var k = 0; k < target.Slices; k++)
        {
            for (var j = 0; j < target.Rows; j++)
            {
                for (var i = 0; i < target.Columns; i++)
                {
                    output[target.Index(i, j, k)] = SampleWorld(target.IndexToWorld(i, j, k));
                }
            }
        }

        return new ImageVolume(target, output);
    }
}
