namespace LiverFlow.Phantom.Generation;

/// <summary>
/// Deterministic value noise in [0, 1] (hashed lattice, smoothstep-interpolated): textures, lobulated
/// contours and nodular patterns that depend only on the seed and the position, never on evaluation order.
/// </summary>
public static class SmoothNoise
{
    public static double At(int seed, double x, double y, double z)
    {
        var xf = Math.Floor(x);
        var yf = Math.Floor(y);
        var zf = Math.Floor(z);
        int xi = (int)xf, yi = (int)yf, zi = (int)zf;
        double tx = Fade(x - xf), ty = Fade(y - yf), tz = Fade(z - zf);
        double Lerp(double a, double b, double t) => a + (b - a) * t;
        var c00 = Lerp(Lattice(seed, xi, yi, zi), Lattice(seed, xi + 1, yi, zi), tx);
        var c10 = Lerp(Lattice(seed, xi, yi + 1, zi), Lattice(seed, xi + 1, yi + 1, zi), tx);
        var c01 = Lerp(Lattice(seed, xi, yi, zi + 1), Lattice(seed, xi + 1, yi, zi + 1), tx);
        var c11 = Lerp(Lattice(seed, xi, yi + 1, zi + 1), Lattice(seed, xi + 1, yi + 1, zi + 1), tx);
        return Lerp(Lerp(c00, c10, ty), Lerp(c01, c11, ty), tz);
    }

    /// <summary>Two octaves, for textures that should look less blobby.</summary>
    public static double Fractal(int seed, double x, double y, double z) =>
        (2 * At(seed, x, y, z) + At(seed ^ 0x5bd1e995, 2.03 * x, 2.03 * y, 2.03 * z)) / 3;

    public static double Lattice(int seed, int x, int y, int z) => Hash(seed, x, y, z) / (double)uint.MaxValue;

    /// <summary>Integer hash (a murmur-style finaliser); stable across platforms and runtimes.</summary>
    public static uint Hash(int seed, int x, int y, int z)
    {
        unchecked
        {
            var h = (uint)seed * 0x9E3779B1u;
            h ^= (uint)x * 0x85EBCA77u;
            h = (h << 13) | (h >> 19);
            h ^= (uint)y * 0xC2B2AE3Du;
            h = (h << 17) | (h >> 15);
            h ^= (uint)z * 0x27D4EB2Fu;
            h ^= h >> 16;
            h *= 0x7FEB352Du;
            h ^= h >> 15;
            h *= 0x846CA68Bu;
            h ^= h >> 16;
            return h;
        }
    }

    private static double Fade(double t) => t * t * (3 - 2 * t);
}
