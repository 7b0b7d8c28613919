using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Generation;

/// <summary>
/// Renders a series of a phantom study onto any grid: the whole acquisition grid for DICOM studies, or a
/// patch of it around one lesion for the training export — the same physics either way. Each voxel is the
/// partial-volume blend of the tissues at its centre, multiplied by the coil shading, the study's intensity
/// scale and the series gain, with Rician noise, rounded to the integers a scanner stores.
/// </summary>
public static class PhantomRenderer
{
    /// <param name="onlyVoxels">When given, only these voxels are computed (the rest stay 0): what a lesion crop reads.</param>
    public static ImageVolume Render(PhantomStudySpec study, SeriesSpec series, VolumeGeometry? grid = null, bool[]? onlyVoxels = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(series);
        grid ??= series.Grid;
        var voxels = new float[grid.VoxelCount];
        var context = new SeriesContext(study, series, Math.Max(grid.ColumnSpacing, grid.RowSpacing));
        var sigma = study.RelativeNoise * study.IntensityScale * context.LiverPreStored;
        Parallel.For(0, grid.Slices, k =>
        {
            for (var j = 0; j < grid.Rows; j++)
            {
                for (var i = 0; i < grid.Columns; i++)
                {
                    if (onlyVoxels is not null && !onlyVoxels[grid.Index(i, j, k)])
                    {
                        continue;
                    }

                    var world = grid.IndexToWorld(i, j, k);
                    var clean = context.Signal(world - series.Misregistration) * study.IntensityScale * series.Gain * Bias(study, world);
                    var index = grid.Index(i, j, k);
                    var (n1, n2) = GaussianPair(series.NoiseSeed, world);
                    var real = clean + sigma * n1;
                    var imaginary = sigma * n2;
                    voxels[index] = (float)Math.Min(Math.Round(Math.Sqrt(real * real + imaginary * imaginary)), 65535);
                }
            }
        });
        return new ImageVolume(grid, voxels);
    }

    /// <summary>Noise-free signal at a world point (relative to unenhanced liver = 1), for tests and ROI reasoning.</summary>
    public static double CleanSignal(PhantomStudySpec study, SeriesSpec series, Vector3d world, double edgeMm = 1)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(series);
        return new SeriesContext(study, series, edgeMm).Signal(world - series.Misregistration);
    }

    /// <summary>The lesion's mask on a grid as drawn on the arterial phase (voxel centre inside the contour).</summary>
    public static ImageVolume RenderLesionMask(LesionSpec lesion, VolumeGeometry grid)
    {
        ArgumentNullException.ThrowIfNull(lesion);
        ArgumentNullException.ThrowIfNull(grid);
        var voxels = new float[grid.VoxelCount];
        var reach = lesion.BoundingRadiusMm;
        for (var k = 0; k < grid.Slices; k++)
        {
            for (var j = 0; j < grid.Rows; j++)
            {
                for (var i = 0; i < grid.Columns; i++)
                {
                    var world = grid.IndexToWorld(i, j, k);
                    if ((world - lesion.Centre).Length <= reach && lesion.Contains(world))
                    {
                        voxels[grid.Index(i, j, k)] = 1;
                    }
                }
            }
        }

        return new ImageVolume(grid, voxels);
    }

    /// <summary>The sub-grid of the acquisition grid that holds a lesion with <paramref name="marginMm"/> around it.</summary>
    public static VolumeGeometry PatchAround(VolumeGeometry grid, Vector3d centre, double halfWidthMm)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var (ci, cj, ck) = grid.WorldToIndex(centre);
        var hi = (int)Math.Ceiling(halfWidthMm / grid.ColumnSpacing);
        var hj = (int)Math.Ceiling(halfWidthMm / grid.RowSpacing);
        var hk = (int)Math.Ceiling(halfWidthMm / grid.SliceSpacing) + 1;
        return grid.SubGrid((int)Math.Round(ci) - hi, (int)Math.Round(cj) - hj, (int)Math.Round(ck) - hk, 2 * hi + 1, 2 * hj + 1, 2 * hk + 1);
    }

    private static double Bias(PhantomStudySpec study, Vector3d world)
    {
        var p = world / 200;
        var b = 1 + study.BiasGradient.Dot(p) + study.BiasRadial * (p.X * p.X + p.Y * p.Y);
        return Math.Clamp(b, 0.5, 1.5);
    }

    private static (double, double) GaussianPair(int seed, Vector3d world)
    {
        // Keyed on the position (to 0.01 mm), not the index, so a patch and the whole grid draw the same noise.
        var x = (int)Math.Round(world.X * 100);
        var y = (int)Math.Round(world.Y * 100);
        var z = (int)Math.Round(world.Z * 100);
        var h1 = SmoothNoise.Hash(seed, x, y, z);
        var h2 = SmoothNoise.Hash(seed ^ 0x2545F491, z, x, y);
        var u1 = (h1 + 1.0) / (uint.MaxValue + 2.0);
        var u2 = h2 / (uint.MaxValue + 1.0);
        var r = Math.Sqrt(-2 * Math.Log(u1));
        return (r * Math.Cos(2 * Math.PI * u2), r * Math.Sin(2 * Math.PI * u2));
    }

    /// <summary>Per-series tissue signals, computed once, and the layered anatomy evaluated per point.</summary>
    private sealed class SeriesContext
    {
        private readonly PhantomStudySpec study;
        private readonly double[] tissueSignal;
        private readonly PhaseSignals phaseSignals;
        private readonly double edgeMm;

        public SeriesContext(PhantomStudySpec study, SeriesSpec series, double edgeMm)
        {
            this.study = study;
            this.edgeMm = edgeMm;
            var anatomy = study.Anatomy;
            var tissues = Enum.GetValues<Tissue>();
            tissueSignal = new double[tissues.Length];
            foreach (var t in tissues)
            {
                tissueSignal[(int)t] = series.Sequence == PulseSequence.T2
                    ? TissueKinetics.T2(t) * anatomy.PreFactor[(int)t]
                    : TissueKinetics.PreContrast(t) * anatomy.PreFactor[(int)t]
                      * (1 + TissueKinetics.RelativeEnhancement(t, series.SecondsAfterInjection) * anatomy.EnhancementFactor[(int)t]);
            }

            var liverPre = series.Sequence == PulseSequence.T2
                ? TissueKinetics.T2(Tissue.Liver) * anatomy.PreFactor[(int)Tissue.Liver]
                : TissueKinetics.PreContrast(Tissue.Liver) * anatomy.PreFactor[(int)Tissue.Liver];
            LiverPreStored = TissueKinetics.PreContrast(Tissue.Liver) * anatomy.PreFactor[(int)Tissue.Liver];
            phaseSignals = new PhaseSignals(series.Sequence, series.SecondsAfterInjection, liverPre, tissueSignal[(int)Tissue.Liver], tissueSignal[(int)Tissue.Aorta]);
        }

        public double LiverPreStored { get; }

        private double Soft(double signedDistance) => Membership.FromSignedDistance(signedDistance, edgeMm);

        private static double Blend(double current, double value, double weight) => current + (value - current) * weight;

        public double Signal(Vector3d p)
        {
            var a = study.Anatomy;
            var s = tissueSignal;
            var body = Soft(EllipseDistance(p, a.BodySemiAxisX, a.BodySemiAxisY));
            if (body <= 0)
            {
                return 0;
            }

            var v = s[(int)Tissue.Fat];
            var outer = a.SubcutaneousFatMm;
            var inner = a.SubcutaneousFatMm + a.MuscleWallMm;
            v = Blend(v, s[(int)Tissue.Muscle], Soft(EllipseDistance(p, a.BodySemiAxisX - outer, a.BodySemiAxisY - outer)));
            var cavity = Soft(EllipseDistance(p, a.BodySemiAxisX - inner, a.BodySemiAxisY - inner));
            v = Blend(v, s[(int)Tissue.Fat], cavity);
            if (cavity > 0)
            {
                var spine = Math.Sqrt((p.X - a.SpineX) * (p.X - a.SpineX) + (p.Y - a.SpineY) * (p.Y - a.SpineY)) - a.SpineRadiusMm;
                v = Blend(v, s[(int)Tissue.BoneMarrow], Soft(spine));
                foreach (var kidney in a.Kidneys)
                {
                    var cortex = Soft(kidney.SignedDistance(p));
                    if (cortex > 0)
                    {
                        var medulla = Soft(kidney.SignedDistance(kidney.Centre + (p - kidney.Centre) / 0.65) * 0.65);
                        v = Blend(v, Blend(s[(int)Tissue.KidneyCortex], s[(int)Tissue.KidneyMedulla], medulla), cortex);
                    }
                }

                v = Blend(v, s[(int)Tissue.Spleen], Soft(a.Spleen.SignedDistance(p)));
                var liver = Math.Min(Soft(a.Liver.SignedDistance(p)), cavity);
                if (liver > 0)
                {
                    var lv = s[(int)Tissue.Liver];
                    if (a.LiverTextureAmplitude > 0)
                    {
                        lv *= 1 + a.LiverTextureAmplitude * (2 * SmoothNoise.Fractal(a.LiverTextureSeed, p.X / 12, p.Y / 12, p.Z / 12) - 1);
                    }

                    foreach (var vessel in a.HepaticVessels)
                    {
                        var d = vessel.SignedDistance(p);
                        if (d < edgeMm)
                        {
                            lv = Blend(lv, s[(int)vessel.Tissue], Soft(d));
                        }
                    }

                    if (a.Gallbladder is { } gb)
                    {
                        lv = Blend(lv, s[(int)Tissue.Bile], Soft(gb.SignedDistance(p)));
                    }

                    v = Blend(v, lv, liver);
                }

                foreach (var vessel in a.MainVessels)
                {
                    var d = vessel.SignedDistance(p);
                    if (d < edgeMm)
                    {
                        v = Blend(v, s[(int)vessel.Tissue], Soft(d));
                    }
                }

                foreach (var lesion in study.Lesions)
                {
                    var (weight, signal) = lesion.Evaluate(p, phaseSignals, edgeMm);
                    if (weight > 0)
                    {
                        v = Blend(v, signal, weight);
                    }
                }
            }

            return v * body;
        }

        private static double EllipseDistance(Vector3d p, double semiX, double semiY)
        {
            var r = Math.Sqrt(p.X * p.X / (semiX * semiX) + p.Y * p.Y / (semiY * semiY));
            return (r - 1) * Math.Min(semiX, semiY);
        }
    }
}
