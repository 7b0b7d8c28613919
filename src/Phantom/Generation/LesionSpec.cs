using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Generation;

/// <summary>A satellite nodule fused to a lesion, in the lesion's normalised coordinates.</summary>
public sealed record SatelliteNodule(Vector3d Offset, double Radius);

/// <summary>One lesion of a phantom: its class, the features drawn for it, its shape and how it enhances.</summary>
public sealed class LesionSpec
{
    public required int SegmentNumber { get; init; }

    public required LesionClass Class { get; init; }

    public required IReadOnlyList<RadiologicalFeature> Features { get; init; }

    /// <summary>Centre in patient coordinates as seen on the arterial phase.</summary>
    public required Vector3d Centre { get; init; }

    /// <summary>Orthonormal lesion axes (U, V, W) in patient coordinates.</summary>
    public required Vector3d AxisU { get; init; }

    public required Vector3d AxisV { get; init; }

    public required Vector3d AxisW { get; init; }

    /// <summary>Semi-axes along U, V, W in mm.</summary>
    public required Vector3d Radii { get; init; }

    public required double ContourAmplitude { get; init; }

    public required double ContourFrequency { get; init; }

    public required int TextureSeed { get; init; }

    public required IReadOnlyList<SatelliteNodule> Satellites { get; init; }

    /// <summary>Width of the lesion–liver transition in mm (sharp for cysts, ill-defined for infiltrative tumours).</summary>
    public required double MarginMm { get; init; }

    public required LesionAppearance Appearance { get; init; }

    public bool Has(RadiologicalFeature feature) => Features.Contains(feature);

    public double MeanRadiusMm => (Radii.X + Radii.Y + Radii.Z) / 3;

    /// <summary>Radius of a sphere around the centre outside which the lesion contributes nothing.</summary>
    public double BoundingRadiusMm
    {
        get
        {
            var reach = 1 + ContourAmplitude;
            foreach (var s in Satellites)
            {
                reach = Math.Max(reach, s.Offset.Length + s.Radius);
            }

            return reach * Math.Max(Radii.X, Math.Max(Radii.Y, Radii.Z)) + 2 * MarginMm + 4;
        }
    }

    /// <summary>Normalised radial coordinate: below 1 inside the lesion, 1 on its contour.</summary>
    public double Rho(Vector3d anatomyPoint, out Vector3d q)
    {
        var local = anatomyPoint - Centre;
        q = new Vector3d(local.Dot(AxisU) / Radii.X, local.Dot(AxisV) / Radii.Y, local.Dot(AxisW) / Radii.Z);
        var r = q.Length;
        var rho = r;
        if (ContourAmplitude > 0 && r > 1e-9)
        {
            var f = ContourFrequency / r;
            var n = SmoothNoise.At(TextureSeed, q.X * f + 31.7, q.Y * f + 31.7, q.Z * f + 31.7);
            rho = r / (1 + ContourAmplitude * (2 * n - 1));
        }

        foreach (var s in Satellites)
        {
            rho = Math.Min(rho, (q - s.Offset).Length / s.Radius);
        }

        return rho;
    }

    public bool Contains(Vector3d anatomyPoint) => Rho(anatomyPoint, out _) < 1;

    /// <summary>Partial-volume weight and signal of the lesion at a point (weight 0 outside).</summary>
    public (double Weight, double Signal) Evaluate(Vector3d anatomyPoint, in PhaseSignals signals, double edgeMm)
    {
        if ((anatomyPoint - Centre).Length > BoundingRadiusMm)
        {
            return (0, 0);
        }

        var rho = Rho(anatomyPoint, out var q);
        var edge = Math.Max(edgeMm, MarginMm);
        var weight = Math.Clamp(0.5 + (1 - rho) * MeanRadiusMm / edge, 0, 1);
        if (weight <= 0)
        {
            return (0, 0);
        }

        return (weight, Appearance.Signal(this, rho, q, signals));
    }
}
