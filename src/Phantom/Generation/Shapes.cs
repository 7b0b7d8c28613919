using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Generation;

/// <summary>Soft (partial-volume) membership from an approximate signed distance in mm.</summary>
public static class Membership
{
    public static double FromSignedDistance(double signedDistanceMm, double edgeMm) =>
        Math.Clamp(0.5 - signedDistanceMm / edgeMm, 0, 1);

    public static double SmoothStep(double edge0, double edge1, double x)
    {
        var t = Math.Clamp((x - edge0) / (edge1 - edge0), 0, 1);
        return t * t * (3 - 2 * t);
    }
}

/// <summary>Axis-aligned ellipsoid organ, optionally with a lobulated contour.</summary>
public sealed record Ellipsoid(Vector3d Centre, Vector3d Radii, double ContourAmplitude = 0, int ContourSeed = 0)
{
    public double SignedDistance(Vector3d p)
    {
        var q = new Vector3d((p.X - Centre.X) / Radii.X, (p.Y - Centre.Y) / Radii.Y, (p.Z - Centre.Z) / Radii.Z);
        var r = q.Length;
        var scale = 1.0;
        if (ContourAmplitude > 0 && r > 1e-9)
        {
            scale = 1 + ContourAmplitude * (2 * SmoothNoise.At(ContourSeed, 2.2 * q.X / r + 7, 2.2 * q.Y / r + 7, 2.2 * q.Z / r + 7) - 1);
        }

        return (r / scale - 1) * Math.Min(Radii.X, Math.Min(Radii.Y, Radii.Z));
    }

    public bool Contains(Vector3d p) => SignedDistance(p) < 0;
}

/// <summary>A vessel: a straight tube between two points.</summary>
public sealed record VesselSegment(Vector3d Start, Vector3d End, double RadiusMm, Tissue Tissue)
{
    public double SignedDistance(Vector3d p)
    {
        var d = End - Start;
        var t = Math.Clamp((p - Start).Dot(d) / d.Dot(d), 0, 1);
        return (p - (Start + d * t)).Length - RadiusMm;
    }
}
