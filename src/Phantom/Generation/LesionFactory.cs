using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Generation;

/// <summary>
/// Draws a lesion of a given class: its features are drawn per lesion with class-typical probabilities
/// (so a class does not imply every feature), then each feature is given an appearance a radiologist
/// would recognise. Each lesion keeps at least one feature that tells its class apart on the venous or
/// delayed phase (e.g. an HCC shows washout or a capsule), as a lesion labelled by pathology would.
/// </summary>
public static class LesionFactory
{
    public const double MinimumDiameterMm = 8;
    public const double MaximumDiameterMm = 60;

    public static LesionSpec Draw(Rng rng, LesionClass lesionClass, int segmentNumber, Vector3d centre, double diameterMm)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var features = new List<RadiologicalFeature>();
        var sizeFraction = Math.Clamp((diameterMm - MinimumDiameterMm) / (MaximumDiameterMm - MinimumDiameterMm), 0, 1);
        var radius = diameterMm / 2;
        var radii = new Vector3d(radius, radius * rng.Uniform(0.75, 1.0), radius * rng.Uniform(0.7, 1.0));
        var (u, v, w) = RandomFrame(rng);
        var satellites = new List<SatelliteNodule>();
        double contourAmplitude, contourFrequency = rng.Uniform(1.5, 2.6), margin;
        LesionAppearance appearance;

        switch (lesionClass)
        {
            case LesionClass.HepatocellularCarcinoma:
            {
                var aphe = rng.Chance(0.85);
                var washout = rng.Chance(0.8);
                var capsule = rng.Chance(0.55);
                if (!washout && !capsule)
                {
                    if (rng.Chance(0.5))
                    {
                        washout = true;
                    }
                    else
                    {
                        capsule = true;
                    }
                }

                var heterogeneous = rng.Chance(0.25 + 0.5 * sizeFraction);
                Add(features, aphe, RadiologicalFeature.ArterialPhaseHyperenhancement);
                Add(features, washout, RadiologicalFeature.Washout);
                Add(features, capsule, RadiologicalFeature.EnhancingRimCapsule);
                Add(features, heterogeneous, RadiologicalFeature.HeterogeneousLesion);
                appearance = new LesionAppearance
                {
                    Main = KineticCurve.FromPhases(
                        rng.Uniform(0.72, 0.95),
                        aphe ? rng.Uniform(1.35, 1.9) : rng.Uniform(0.8, 1.0),
                        washout ? rng.Uniform(0.62, 0.84) : rng.Uniform(0.93, 1.05),
                        washout ? rng.Uniform(0.55, 0.8) : rng.Uniform(0.9, 1.04)),
                    Capsule = capsule ? KineticCurve.FromPhases(0.85, 0.9, rng.Uniform(1.15, 1.4), rng.Uniform(1.25, 1.55)) : null,
                    CapsuleMm = capsule ? Math.Max(rng.Uniform(1.0, 2.5), 0.05 * radius) : 0,
                    Heterogeneity = heterogeneous ? rng.Uniform(0.15, 0.32) : rng.Uniform(0, 0.04),
                    NecrosisThreshold = heterogeneous ? rng.Uniform(0.7, 0.8) : 2,
                    T2Ratio = rng.Uniform(1.2, 1.6),
                };
                contourAmplitude = rng.Uniform(0.02, 0.1);
                margin = rng.Uniform(0.5, 1.5);
                break;
            }

            case LesionClass.IntrahepaticCholangiocarcinoma:
            {
                var progressive = rng.Chance(0.8);
                var infiltrative = rng.Chance(0.55);
                var nodular = rng.Chance(0.45);
                if (!progressive && !infiltrative && !nodular)
                {
                    progressive = true;
                }

                Add(features, progressive, RadiologicalFeature.ProgressiveEnhancement);
                Add(features, nodular, RadiologicalFeature.NodularGrowth);
                Add(features, infiltrative, RadiologicalFeature.InfiltrativeGrowth);
                var pre = rng.Uniform(0.65, 0.85);
                appearance = new LesionAppearance
                {
                    Main = KineticCurve.FromPhases(
                        pre,
                        rng.Uniform(0.6, 0.8),
                        progressive ? rng.Uniform(0.82, 0.97) : rng.Uniform(0.68, 0.85),
                        progressive ? rng.Uniform(1.02, 1.3) : rng.Uniform(0.7, 0.9)),
                    Rim = KineticCurve.FromPhases(pre, rng.Uniform(1.05, 1.35), rng.Uniform(0.9, 1.05), rng.Uniform(0.85, 1.0)),
                    RimWidth = rng.Uniform(0.15, 0.3),
                    Heterogeneity = rng.Uniform(0.04, 0.1),
                    T2Ratio = rng.Uniform(1.3, 1.8),
                };
                contourAmplitude = infiltrative ? rng.Uniform(0.25, 0.4) : rng.Uniform(0.05, 0.15);
                contourFrequency = infiltrative ? rng.Uniform(2.0, 3.2) : contourFrequency;
                margin = infiltrative ? rng.Uniform(2.5, 5) : rng.Uniform(0.8, 1.8);
                if (nodular)
                {
                    var count = rng.Int(2, 5);
                    for (var n = 0; n < count; n++)
                    {
                        satellites.Add(new SatelliteNodule(rng.UnitVector() * rng.Uniform(0.8, 1.1), rng.Uniform(0.25, 0.45)));
                    }
                }

                break;
            }

            case LesionClass.ColorectalMetastasis:
            {
                var core = rng.Chance(0.85);
                var progressive = rng.Chance(0.45);
                if (!core && !progressive)
                {
                    core = true;
                }

                Add(features, progressive, RadiologicalFeature.ProgressiveEnhancement);
                Add(features, core, RadiologicalFeature.HypoenhancingCore);
                var pre = rng.Uniform(0.6, 0.8);
                appearance = new LesionAppearance
                {
                    Main = KineticCurve.FromPhases(
                        pre,
                        rng.Uniform(0.7, 0.95),
                        rng.Uniform(0.65, 0.85),
                        progressive ? rng.Uniform(0.8, 0.95) : rng.Uniform(0.6, 0.8)),
                    Rim = KineticCurve.FromPhases(pre, rng.Uniform(1.15, 1.45), rng.Uniform(0.85, 1.0), rng.Uniform(0.75, 0.92)),
                    RimWidth = rng.Uniform(0.15, 0.3),
                    Core = core ? KineticCurve.FromPhases(
                        rng.Uniform(0.5, 0.7),
                        rng.Uniform(0.35, 0.55),
                        rng.Uniform(0.4, 0.58),
                        progressive ? rng.Uniform(0.6, 0.78) : rng.Uniform(0.42, 0.58)) : null,
                    CoreRadius = core ? rng.Uniform(0.5, 0.72) : 0,
                    Heterogeneity = rng.Uniform(0.03, 0.1),
                    T2Ratio = rng.Uniform(1.4, 2.0),
                };
                contourAmplitude = rng.Uniform(0.04, 0.15);
                margin = rng.Uniform(0.8, 2);
                break;
            }

            case LesionClass.SimpleCyst:
            {
                var thinWalled = rng.Chance(0.7);
                Add(features, true, RadiologicalFeature.HypoenhancingCore);
                Add(features, thinWalled, RadiologicalFeature.ThinWalled);
                appearance = new LesionAppearance
                {
                    Main = KineticCurve.FromPhases(1, 1, 1, 1),
                    FluidPre = rng.Uniform(0.22, 0.42),
                    Wall = thinWalled ? KineticCurve.FromPhases(0.9, 0.95, rng.Uniform(1.0, 1.15), rng.Uniform(1.0, 1.15)) : null,
                    WallMm = thinWalled ? rng.Uniform(0.6, 1.0) : 0,
                    T2Ratio = rng.Uniform(4, 7),
                };
                contourAmplitude = rng.Uniform(0, 0.05);
                margin = 0.3;
                break;
            }

            case LesionClass.Hemangioma:
            {
                var nodular = rng.Chance(0.85);
                var centripetal = nodular && rng.Chance(0.8);
                var hyperDelayed = rng.Chance(0.8) || !nodular;
                Add(features, hyperDelayed, RadiologicalFeature.HyperenhancingMassOnDelayedPhase);
                Add(features, nodular, RadiologicalFeature.NodularDiscontinuousEnhancement);
                Add(features, centripetal, RadiologicalFeature.ProgressiveCentripetalFilling);
                appearance = new LesionAppearance
                {
                    Main = KineticCurve.FromPhases(1, 1, 1, 1),
                    BloodPoolFilling = true,
                    UnfilledPre = rng.Uniform(0.45, 0.65),
                    BloodPoolFactor = hyperDelayed ? rng.Uniform(1.0, 1.15) : rng.Uniform(0.72, 0.85),
                    FillRho = nodular
                        ? [2, rng.Uniform(0.75, 0.82), centripetal ? rng.Uniform(0.35, 0.55) : rng.Uniform(0.68, 0.78), centripetal ? rng.Uniform(-0.2, 0.15) : rng.Uniform(0.6, 0.72)]
                        : [2, -1, -1, -1],
                    NodularThreshold = nodular ? rng.Uniform(0.55, 0.65) : 0,
                    T2Ratio = rng.Uniform(3, 4.5),
                };
                contourAmplitude = rng.Uniform(0.03, 0.12);
                margin = rng.Uniform(0.4, 1.0);
                break;
            }

            case LesionClass.FocalNodularHyperplasia:
            {
                var iso = rng.Chance(0.85);
                var scar = rng.Chance(0.2 + 0.5 * sizeFraction);
                Add(features, true, RadiologicalFeature.ArterialPhaseHyperenhancement);
                Add(features, iso, RadiologicalFeature.IsointenseOnVenousDelayedPhase);
                Add(features, scar, RadiologicalFeature.CentralScar);
                var spokes = new List<Vector3d>();
                if (scar)
                {
                    var count = rng.Int(3, 6);
                    for (var n = 0; n < count; n++)
                    {
                        spokes.Add(rng.UnitVector());
                    }
                }

                appearance = new LesionAppearance
                {
                    Main = KineticCurve.FromPhases(
                        rng.Uniform(0.88, 1.02),
                        rng.Uniform(1.45, 2.1),
                        iso ? rng.Uniform(0.95, 1.07) : rng.Uniform(1.1, 1.25),
                        iso ? rng.Uniform(0.94, 1.05) : rng.Uniform(1.07, 1.18)),
                    Scar = scar ? KineticCurve.FromPhases(0.7, rng.Uniform(0.5, 0.7), rng.Uniform(0.75, 0.9), rng.Uniform(1.15, 1.4)) : null,
                    ScarRadius = scar ? rng.Uniform(0.12, 0.22) : 0,
                    ScarSpokes = spokes,
                    Heterogeneity = rng.Uniform(0, 0.04),
                    T2Ratio = rng.Uniform(1.0, 1.2),
                };
                contourAmplitude = rng.Uniform(0.06, 0.15);
                contourFrequency = rng.Uniform(2.2, 3.0);
                margin = rng.Uniform(0.5, 1.0);
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(lesionClass), lesionClass, null);
        }

        return new LesionSpec
        {
            SegmentNumber = segmentNumber,
            Class = lesionClass,
            Features = features,
            Centre = centre,
            AxisU = u,
            AxisV = v,
            AxisW = w,
            Radii = radii,
            ContourAmplitude = contourAmplitude,
            ContourFrequency = contourFrequency,
            TextureSeed = rng.NextSeed() & 0x3FFFFFFF,
            Satellites = satellites,
            MarginMm = margin,
            Appearance = appearance,
        };
    }

    /// <summary>Longest diameter (maximum Feret diameter) of the lesion's contour, measured on a 1 mm lattice over 64 directions.</summary>
    public static double LongestDiameterMm(LesionSpec lesion)
    {
        ArgumentNullException.ThrowIfNull(lesion);
        var reach = lesion.BoundingRadiusMm;
        var step = Math.Clamp(reach / 40, 0.4, 1.0);
        var points = new List<Vector3d>();
        for (var x = -reach; x <= reach; x += step)
        {
            for (var y = -reach; y <= reach; y += step)
            {
                for (var z = -reach; z <= reach; z += step)
                {
                    var p = lesion.Centre + new Vector3d(x, y, z);
                    if (lesion.Contains(p))
                    {
                        points.Add(p);
                    }
                }
            }
        }

        var best = 0.0;
        var golden = Math.PI * (3 - Math.Sqrt(5));
        for (var n = 0; n < 64; n++)
        {
            // Fibonacci hemisphere: directions spread evenly, so the maximum projection approximates the Feret diameter.
            var zc = 1 - (n + 0.5) / 64;
            var r = Math.Sqrt(1 - zc * zc);
            var d = new Vector3d(r * Math.Cos(golden * n), r * Math.Sin(golden * n), zc);
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (var p in points)
            {
                var t = p.Dot(d);
                min = Math.Min(min, t);
                max = Math.Max(max, t);
            }

            best = Math.Max(best, max - min + step);
        }

        return best;
    }

    private static void Add(List<RadiologicalFeature> features, bool present, RadiologicalFeature feature)
    {
        if (present)
        {
            features.Add(feature);
        }
    }

    private static (Vector3d U, Vector3d V, Vector3d W) RandomFrame(Rng rng)
    {
        var u = rng.UnitVector();
        var other = rng.UnitVector();
        var v = other - u * other.Dot(u);
        if (v.Length < 0.1)
        {
            v = Math.Abs(u.X) < 0.9 ? new Vector3d(1, 0, 0) - u * u.X : new Vector3d(0, 1, 0) - u * u.Y;
        }

        v = v.Normalized();
        return (u, v, u.Cross(v));
    }
}
