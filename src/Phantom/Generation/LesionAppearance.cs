using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Generation;

/// <summary>
/// How a lesion enhances. Most compartments are ratios to the surrounding liver at the same moment
/// (that is what a radiologist reads: hyper-, iso- or hypoenhancing); fluid and blood-pool compartments
/// are absolute, because a cyst does not enhance at all and a hemangioma follows the blood pool.
/// Curves are keyed at the phase times of <see cref="KineticCurve.PhaseKeyTimes"/>.
/// </summary>
public sealed class LesionAppearance
{
    public required KineticCurve Main { get; init; }

    public KineticCurve? Rim { get; init; }

    /// <summary>Thickness of the peripheral ring as a fraction of the radius.</summary>
    public double RimWidth { get; init; }

    public KineticCurve? Core { get; init; }

    /// <summary>Radius of the central core as a fraction of the lesion radius.</summary>
    public double CoreRadius { get; init; }

    public KineticCurve? Capsule { get; init; }

    public double CapsuleMm { get; init; }

    public KineticCurve? Scar { get; init; }

    public double ScarRadius { get; init; }

    public IReadOnlyList<Vector3d> ScarSpokes { get; init; } = [];

    /// <summary>Amplitude of the mosaic texture (0 = homogeneous).</summary>
    public double Heterogeneity { get; init; }

    /// <summary>Texture level above which tissue is necrotic and does not enhance (above 1 = none).</summary>
    public double NecrosisThreshold { get; init; } = 2;

    /// <summary>Signal of non-enhancing fluid relative to unenhanced liver (0 = not a fluid lesion).</summary>
    public double FluidPre { get; init; }

    public KineticCurve? Wall { get; init; }

    public double WallMm { get; init; }

    public bool BloodPoolFilling { get; init; }

    /// <summary>Filled lacunae's signal relative to the blood pool.</summary>
    public double BloodPoolFactor { get; init; }

    /// <summary>Per phase (pre, arterial, portal venous, delayed): radial coordinate beyond which the lesion has filled.</summary>
    public IReadOnlyList<double> FillRho { get; init; } = [2, 2, 2, 2];

    /// <summary>Angular-noise level above which peripheral nodules enhance in the arterial phase (0 = no nodules).</summary>
    public double NodularThreshold { get; init; }

    public double UnfilledPre { get; init; }

    public double T2Ratio { get; init; } = 1;

    public double Signal(LesionSpec lesion, double rho, Vector3d q, in PhaseSignals s)
    {
        var seed = lesion.TextureSeed;
        if (s.Sequence == PulseSequence.T2)
        {
            var t2 = s.LiverReference * T2Ratio;
            if (Heterogeneity > 0)
            {
                t2 *= 1 + Heterogeneity * (2 * SmoothNoise.Fractal(seed + 5, q.X * 2.4, q.Y * 2.4, q.Z * 2.4) - 1);
            }

            if (Core is not null)
            {
                t2 *= 1 + 0.5 * (1 - Membership.SmoothStep(CoreRadius - 0.08, CoreRadius + 0.08, rho));
            }

            return t2;
        }

        var t = s.SecondsAfterInjection;
        if (FluidPre > 0)
        {
            var fluid = s.LiverPre * FluidPre;
            if (Wall is not null)
            {
                var fromContourMm = (1 - rho) * lesion.MeanRadiusMm;
                var wallWeight = 1 - Membership.SmoothStep(WallMm * 0.5, WallMm * 1.5, fromContourMm);
                fluid += (s.LiverReference * Wall.At(t) - fluid) * wallWeight;
            }

            return fluid;
        }

        if (BloodPoolFilling)
        {
            var unfilled = s.LiverPre * UnfilledPre * (1 + 0.1 * (s.LiverReference / s.LiverPre - 1));
            var phase = s.PhaseIndex;
            if (phase == 0)
            {
                return unfilled;
            }

            var r = q.Length;
            var u = r > 1e-9 ? q / r : new Vector3d(1, 0, 0);
            var angular = SmoothNoise.At(seed + 101, u.X * 3.2 + 50, u.Y * 3.2 + 50, u.Z * 3.2 + 50);
            var threshold = FillRho[phase];
            var front = Membership.SmoothStep(threshold - 0.06, threshold + 0.06, rho + 0.12 * (angular - 0.5));
            double filled;
            if (NodularThreshold > 0)
            {
                var nodules = Membership.SmoothStep(NodularThreshold - 0.03, NodularThreshold + 0.03, angular)
                    * Membership.SmoothStep(0.7, 0.8, rho);
                filled = phase == 1 ? nodules : Math.Max(nodules, front);
            }
            else
            {
                filled = front;
            }

            return unfilled + (s.BloodPool * BloodPoolFactor - unfilled) * filled;
        }

        var v = s.LiverReference * Main.At(t);
        if (Rim is not null)
        {
            var rimWeight = Membership.SmoothStep(1 - RimWidth - 0.05, 1 - RimWidth + 0.05, rho);
            v += (s.LiverReference * Rim.At(t) - v) * rimWeight;
        }

        if (Core is not null)
        {
            var wobble = 0.1 * (SmoothNoise.At(seed + 11, q.X * 2 + 5, q.Y * 2 + 5, q.Z * 2 + 5) - 0.5);
            var coreWeight = 1 - Membership.SmoothStep(CoreRadius - 0.08, CoreRadius + 0.08, rho + wobble);
            v += (s.LiverReference * Core.At(t) - v) * coreWeight;
        }

        if (Scar is not null)
        {
            var scarWeight = 1 - Membership.SmoothStep(ScarRadius - 0.05, ScarRadius + 0.05, rho);
            foreach (var d in ScarSpokes)
            {
                var along = q.Dot(d);
                if (along > 0 && rho < 0.8)
                {
                    var off = (q - d * along).Length;
                    scarWeight = Math.Max(scarWeight, (1 - Membership.SmoothStep(0.04, 0.09, off)) * (1 - Membership.SmoothStep(0.6, 0.8, rho)));
                }
            }

            v += (s.LiverReference * Scar.At(t) - v) * scarWeight;
        }

        if (Heterogeneity > 0)
        {
            var n = SmoothNoise.Fractal(seed + 5, q.X * 2.4, q.Y * 2.4, q.Z * 2.4);
            v *= 1 + Heterogeneity * (2 * n - 1);
            if (NecrosisThreshold < 1)
            {
                var necrotic = s.LiverPre * 0.55;
                v += (necrotic - v) * Membership.SmoothStep(NecrosisThreshold, NecrosisThreshold + 0.05, n);
            }
        }

        if (Capsule is not null)
        {
            var fromContourMm = (1 - rho) * lesion.MeanRadiusMm;
            var capsuleWeight = 1 - Membership.SmoothStep(CapsuleMm * 0.6, CapsuleMm * 1.4, fromContourMm);
            v += (s.LiverReference * Capsule.At(t) - v) * capsuleWeight;
        }

        return v;
    }
}
