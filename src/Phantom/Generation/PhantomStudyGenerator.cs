using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Generation;

/// <summary>What kind of study to draw.</summary>
public sealed record StudyOptions
{
    public int MinLesions { get; init; } = 1;

    public int MaxLesions { get; init; } = 4;

    /// <summary>Classes of the first lesions, in order (the rest are drawn at random).</summary>
    public IReadOnlyList<LesionClass> RequiredClasses { get; init; } = [];

    /// <summary>Upper bound on slices per series, to keep whole studies small; the spacing grows instead.</summary>
    public int MaxSlices { get; init; } = 96;

    public VendorStyle? Vendor { get; init; }

    /// <summary>Upper bound on the in-plane matrix (small studies for tests); the pixels grow instead.</summary>
    public int MaxColumns { get; init; } = 320;
}

/// <summary>
/// Draws a complete study from a seed: anatomy, lesions, acquisition geometry, contrast timing,
/// misregistration, noise and coil shading. Pure: the same seed gives the same study.
/// </summary>
public static class PhantomStudyGenerator
{
    public static PhantomStudySpec Generate(int seed, StudyOptions? options = null)
    {
        options ??= new StudyOptions();
        var rng = new Rng(seed);
        var anatomy = DrawAnatomy(rng);
        var lesionCount = Math.Max(rng.Int(options.MinLesions, options.MaxLesions + 1), options.RequiredClasses.Count);
        var lesions = new List<LesionSpec>();
        for (var n = 0; n < lesionCount; n++)
        {
            var lesionClass = n < options.RequiredClasses.Count ? options.RequiredClasses[n] : rng.Pick(LesionClasses.All);
            var diameter = rng.LogUniform(LesionFactory.MinimumDiameterMm, LesionFactory.MaximumDiameterMm);
            var centre = PlaceLesion(rng, anatomy, lesions, ref diameter);
            lesions.Add(LesionFactory.Draw(rng, lesionClass, n + 1, centre, diameter));
        }

        var vendor = options.Vendor ?? (VendorStyle)rng.Int(0, 3);
        var series = DrawSeries(rng, anatomy, options);
        return new PhantomStudySpec
        {
            Seed = seed,
            Vendor = vendor,
            Anatomy = anatomy,
            Lesions = lesions,
            Series = series,
            IntensityScale = rng.Uniform(250, 1400),
            RelativeNoise = 1 / rng.Uniform(12, 45),
            BiasGradient = new Vector3d(rng.Uniform(-0.15, 0.15), rng.Uniform(-0.15, 0.15), rng.Uniform(-0.1, 0.1)),
            BiasRadial = rng.Uniform(-0.12, 0.12),
        };
    }

    private static AnatomySpec DrawAnatomy(Rng rng)
    {
        var bodyX = rng.Uniform(140, 185);
        var bodyY = Math.Min(rng.Uniform(100, 140), bodyX * 0.85);
        var fat = rng.Uniform(8, 30);
        var muscle = rng.Uniform(6, 14);
        var cavityX = bodyX - fat - muscle;
        var cavityY = bodyY - fat - muscle;

        var liverRx = Math.Min(rng.Uniform(75, 100), 0.8 * cavityX);
        var liverRy = Math.Min(rng.Uniform(65, 90), 0.8 * cavityY);
        var liverRz = rng.Uniform(75, 95);
        var liverCentre = new Vector3d(-cavityX + liverRx + rng.Uniform(3, 10), -cavityY + liverRy + rng.Uniform(3, 12), rng.Uniform(-5, 5));
        var liver = new Ellipsoid(liverCentre, new Vector3d(liverRx, liverRy, liverRz), 0.06, rng.NextSeed());

        var spleenR = new Vector3d(rng.Uniform(35, 50), rng.Uniform(28, 40), rng.Uniform(45, 60));
        var spleen = new Ellipsoid(new Vector3d(cavityX - spleenR.X - rng.Uniform(3, 10), cavityY * 0.35, rng.Uniform(0, 20)), spleenR, 0.05, rng.NextSeed());
        var kidneyZ = rng.Uniform(-85, -65);
        var kidneys = new List<Ellipsoid>();
        foreach (var side in new[] { -1.0, 1.0 })
        {
            kidneys.Add(new Ellipsoid(
                new Vector3d(side * cavityX * 0.5, cavityY * 0.55, kidneyZ + rng.Uniform(-8, 8)),
                new Vector3d(rng.Uniform(25, 32), rng.Uniform(20, 26), rng.Uniform(45, 55))));
        }

        var spineY = cavityY * 0.8;
        var spineR = rng.Uniform(18, 22);
        var aortaR = rng.Uniform(9, 13);
        var aortaY = spineY - spineR - aortaR - 3;
        var ivcR = rng.Uniform(9, 13);
        var ivcX = rng.Uniform(-32, -22);
        var ivcY = spineY - spineR - ivcR + 2;
        var hilum = new Vector3d(liverCentre.X + liverRx * 0.35, liverCentre.Y + liverRy * 0.45, liverCentre.Z - rng.Uniform(5, 15));
        var mainVessels = new List<VesselSegment>
        {
            new(new Vector3d(rng.Uniform(5, 20), aortaY, -260), new Vector3d(rng.Uniform(5, 20), aortaY, 220), aortaR, Tissue.Aorta),
            new(new Vector3d(ivcX, ivcY, -260), new Vector3d(ivcX, ivcY, 220), ivcR, Tissue.InferiorVenaCava),
            new(new Vector3d(rng.Uniform(-15, -5), cavityY * 0.2, liverCentre.Z - rng.Uniform(40, 55)), hilum, rng.Uniform(6, 8), Tissue.PortalVein),
        };

        var hepaticVessels = new List<VesselSegment>();
        var portalBranches = rng.Int(4, 7);
        for (var n = 0; n < portalBranches; n++)
        {
            var end = PointInEllipsoid(rng, liver, 0.6, 0.85);
            hepaticVessels.Add(new VesselSegment(hilum, end, rng.Uniform(2.5, 4.5), Tissue.PortalVein));
        }

        var confluence = new Vector3d(ivcX, ivcY, liverCentre.Z + liverRz * 0.55);
        for (var n = 0; n < 3; n++)
        {
            var end = PointInEllipsoid(rng, liver, 0.65, 0.85);
            end = new Vector3d(end.X, end.Y, Math.Max(end.Z, liverCentre.Z + liverRz * 0.1));
            hepaticVessels.Add(new VesselSegment(confluence, end, rng.Uniform(2.5, 5), Tissue.HepaticVein));
        }

        Ellipsoid? gallbladder = rng.Chance(0.7)
            ? new Ellipsoid(
                new Vector3d(liverCentre.X + liverRx * 0.15, liverCentre.Y - liverRy * 0.55, liverCentre.Z - liverRz * 0.45),
                new Vector3d(rng.Uniform(12, 18), rng.Uniform(12, 18), rng.Uniform(25, 40)))
            : null;

        var tissues = Enum.GetValues<Tissue>();
        var pre = new double[tissues.Length];
        var enhancement = new double[tissues.Length];
        foreach (var t in tissues)
        {
            pre[(int)t] = t == Tissue.Fat ? rng.Uniform(0.5, 2.0) : rng.Uniform(0.9, 1.1);
            enhancement[(int)t] = rng.Uniform(0.8, 1.2);
        }

        return new AnatomySpec
        {
            BodySemiAxisX = bodyX,
            BodySemiAxisY = bodyY,
            SubcutaneousFatMm = fat,
            MuscleWallMm = muscle,
            Liver = liver,
            Spleen = spleen,
            Kidneys = kidneys,
            Gallbladder = gallbladder,
            SpineX = 0,
            SpineY = spineY,
            SpineRadiusMm = spineR,
            MainVessels = mainVessels,
            HepaticVessels = hepaticVessels,
            LiverTextureSeed = rng.NextSeed(),
            LiverTextureAmplitude = rng.Uniform(0.01, 0.05),
            PreFactor = pre,
            EnhancementFactor = enhancement,
        };
    }

    private static Vector3d PointInEllipsoid(Rng rng, Ellipsoid e, double minRadius, double maxRadius)
    {
        var d = rng.UnitVector() * rng.Uniform(minRadius, maxRadius);
        return e.Centre + new Vector3d(d.X * e.Radii.X, d.Y * e.Radii.Y, d.Z * e.Radii.Z);
    }

    private static Vector3d PlaceLesion(Rng rng, AnatomySpec anatomy, List<LesionSpec> placed, ref double diameter)
    {
        var liver = anatomy.Liver;
        var minRadius = Math.Min(liver.Radii.X, Math.Min(liver.Radii.Y, liver.Radii.Z));
        for (var attempt = 0; attempt < 400; attempt++)
        {
            if (attempt > 0 && attempt % 50 == 0)
            {
                diameter = Math.Max(LesionFactory.MinimumDiameterMm, diameter * 0.85);
            }

            var radius = diameter / 2;
            var reach = Math.Max(0.05, 0.8 - 1.25 * radius / minRadius);
            var q = rng.UnitVector() * (reach * Math.Cbrt(rng.Uniform(0, 1)));
            var centre = liver.Centre + new Vector3d(q.X * liver.Radii.X, q.Y * liver.Radii.Y, q.Z * liver.Radii.Z);
            if (liver.SignedDistance(centre) > -(radius + 3))
            {
                continue;
            }

            if (anatomy.MainVessels.Any(v => v.SignedDistance(centre) < radius * 1.3 + 6))
            {
                continue;
            }

            if (anatomy.Gallbladder is { } gb && gb.SignedDistance(centre) < radius * 1.3 + 4)
            {
                continue;
            }

            if (placed.Any(l => (l.Centre - centre).Length < l.BoundingRadiusMm + radius * 1.5 + 4))
            {
                continue;
            }

            return centre;
        }

        throw new InvalidOperationException("Could not place a lesion in the liver without overlapping another structure.");
    }

    private static List<SeriesSpec> DrawSeries(Rng rng, AnatomySpec anatomy, StudyOptions options)
    {
        var columns = Math.Min(rng.Pick(new[] { 192, 224, 256, 288, 320 }), options.MaxColumns);
        var fovX = 2 * anatomy.BodySemiAxisX + rng.Uniform(10, 40);
        var pixel = fovX / columns;
        var fovY = 2 * anatomy.BodySemiAxisY + rng.Uniform(10, 40);
        var rows = (int)Math.Ceiling(fovY / pixel / 16) * 16;

        var liver = anatomy.Liver;
        var zMin = liver.Centre.Z - liver.Radii.Z - rng.Uniform(20, 50);
        var zMax = liver.Centre.Z + liver.Radii.Z + rng.Uniform(5, 20);
        var sliceSpacing = Math.Round(rng.Uniform(2.0, 5.0) * 2) / 2;
        var slices = (int)Math.Ceiling((zMax - zMin) / sliceSpacing) + 1;
        if (slices > options.MaxSlices)
        {
            sliceSpacing = (zMax - zMin) / (options.MaxSlices - 1);
            slices = options.MaxSlices;
        }

        // Mostly true axial; some studies are slightly oblique or stored superior-to-inferior, as scanners do.
        var yaw = rng.Chance(0.15) ? rng.Uniform(-8, 8) * Math.PI / 180 : 0;
        var tilt = rng.Chance(0.1) ? rng.Uniform(-5, 5) * Math.PI / 180 : 0;
        var rowDir = new Vector3d(Math.Cos(yaw), Math.Sin(yaw), 0);
        var colDir = new Vector3d(-Math.Sin(yaw) * Math.Cos(tilt), Math.Cos(yaw) * Math.Cos(tilt), Math.Sin(tilt));
        var normal = rowDir.Cross(colDir).Normalized();
        var headFirst = rng.Chance(0.4);
        var sliceDir = headFirst ? -normal : normal;

        var centre = new Vector3d(rng.Uniform(-10, 10), rng.Uniform(-10, 10), (zMin + zMax) / 2);
        var origin = centre
            - rowDir * ((columns - 1) / 2.0 * pixel)
            - colDir * ((rows - 1) / 2.0 * pixel)
            - sliceDir * ((slices - 1) / 2.0 * sliceSpacing);
        var grid = new VolumeGeometry(columns, rows, slices, origin, rowDir, colDir, sliceDir, pixel, pixel, sliceSpacing);
        var thickness = rng.Chance(0.3) ? sliceSpacing * 1.25 : sliceSpacing;

        Vector3d Shift() => new(Math.Clamp(rng.Normal(0, 0.7), -2, 2), Math.Clamp(rng.Normal(0, 0.7), -2, 2), Math.Clamp(rng.Normal(0, 1.3), -3, 3));

        var series = new List<SeriesSpec>
        {
            new("pre", ContrastPhase.PreContrast, PulseSequence.T1FatSuppressed, 0, Shift(), grid, thickness, rng.Uniform(0.85, 1.15), rng.NextSeed()),
            new("arterial", ContrastPhase.Arterial, PulseSequence.T1FatSuppressed, rng.Uniform(20, 35), Vector3d.Zero, grid, thickness, rng.Uniform(0.85, 1.15), rng.NextSeed()),
            new("portal_venous", ContrastPhase.PortalVenous, PulseSequence.T1FatSuppressed, rng.Uniform(60, 80), Shift(), grid, thickness, rng.Uniform(0.85, 1.15), rng.NextSeed()),
            new("delayed", ContrastPhase.Delayed, PulseSequence.T1FatSuppressed, rng.Uniform(180, 300), Shift(), grid, thickness, rng.Uniform(0.85, 1.15), rng.NextSeed()),
        };

        var t2Columns = Math.Min(options.MaxColumns, columns + 64);
        var t2Pixel = fovX / t2Columns;
        var t2Rows = (int)Math.Ceiling(fovY / t2Pixel / 16) * 16;
        var t2Spacing = rng.Uniform(5, 7);
        var t2Slices = Math.Min(options.MaxSlices, (int)Math.Ceiling((zMax - zMin) / t2Spacing) + 1);
        var t2Origin = centre
            - rowDir * ((t2Columns - 1) / 2.0 * t2Pixel)
            - colDir * ((t2Rows - 1) / 2.0 * t2Pixel)
            - normal * ((t2Slices - 1) / 2.0 * t2Spacing);
        var t2Grid = new VolumeGeometry(t2Columns, t2Rows, t2Slices, t2Origin, rowDir, colDir, normal, t2Pixel, t2Pixel, t2Spacing);
        series.Add(new SeriesSpec("t2", null, PulseSequence.T2, -600, Shift(), t2Grid, t2Spacing, 1, rng.NextSeed()));

        var locPixel = Math.Max(fovX, zMax - zMin + 60) / 256;
        var locOrigin = new Vector3d(centre.X - 127.5 * locPixel, -10, centre.Z + 127.5 * locPixel);
        var locGrid = new VolumeGeometry(256, 256, 3, locOrigin, new Vector3d(1, 0, 0), new Vector3d(0, 0, -1), new Vector3d(0, 1, 0), locPixel, locPixel, 20);
        series.Add(new SeriesSpec("localizer", null, PulseSequence.T2, -900, Vector3d.Zero, locGrid, 10, 1, rng.NextSeed()));
        return series;
    }
}
