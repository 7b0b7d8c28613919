namespace LiverFlow.Imaging;

/// <summary>
/// The model input for one lesion: 3 channels (arterial, portal venous, delayed) × 24 (X) × 24 (Y) × 12 (Z),
/// float32, C order, flat index ((c·24 + x)·24 + y)·12 + z. X and Y span the acquisition plane, Z the
/// slice direction (see <see cref="LesionPreprocessor"/> for their orientation). Every channel is min–max
/// scaled to [−1, 1].
/// </summary>
public sealed class LesionCrop
{
    public const int Channels = 3;
    public const int SizeX = 24;
    public const int SizeY = 24;
    public const int SizeZ = 12;
    public const int Length = Channels * SizeX * SizeY * SizeZ;

    public static readonly IReadOnlyList<ContrastPhase> ChannelPhases = [ContrastPhase.Arterial, ContrastPhase.PortalVenous, ContrastPhase.Delayed];

    public static readonly int[] Shape = [Channels, SizeX, SizeY, SizeZ];

    internal LesionCrop(float[] data, Vector3d centre, Vector3d axisX, Vector3d axisY, Vector3d axisZ, Vector3d spacing, Vector3d lesionExtentMm, double outsideFraction)
    {
        Data = data;
        Centre = centre;
        AxisX = axisX;
        AxisY = axisY;
        AxisZ = axisZ;
        Spacing = spacing;
        LesionExtentMm = lesionExtentMm;
        OutsideFraction = outsideFraction;
    }

    public float[] Data { get; }

    /// <summary>World centre of the field (the centre of the lesion's extent).</summary>
    public Vector3d Centre { get; }

    public Vector3d AxisX { get; }

    public Vector3d AxisY { get; }

    public Vector3d AxisZ { get; }

    /// <summary>Field voxel size along X, Y, Z in mm.</summary>
    public Vector3d Spacing { get; }

    /// <summary>The lesion's extent along X, Y, Z in mm.</summary>
    public Vector3d LesionExtentMm { get; }

    /// <summary>Fraction of field samples that fell outside the arterial volume and were edge-replicated.</summary>
    public double OutsideFraction { get; }

    public static int FlatIndex(int channel, int x, int y, int z) => ((channel * SizeX + x) * SizeY + y) * SizeZ + z;

    public float this[int channel, int x, int y, int z] => Data[FlatIndex(channel, x, y, z)];

    /// <summary>World position of a field voxel centre.</summary>
    public Vector3d FieldToWorld(double x, double y, double z) =>
        Centre
        + AxisX * ((x - (SizeX - 1) / 2.0) * Spacing.X)
        + AxisY * ((y - (SizeY - 1) / 2.0) * Spacing.Y)
        + AxisZ * ((z - (SizeZ - 1) / 2.0) * Spacing.Z);
}
