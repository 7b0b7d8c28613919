using LiverFlow.Imaging;
using LiverFlow.Phantom.Generation;

namespace LiverFlow.Phantom.Tests;

/// <summary>
/// Reads a rendered lesion the way a radiologist places ROIs: medians of the noisy, gain-corrected
/// series inside regions of the lesion (by its normalised radius) and in the surrounding liver.
/// </summary>
internal sealed class LesionRoi
{
    private readonly PhantomStudySpec study;
    private readonly LesionSpec lesion;
    private readonly Dictionary<ContrastPhase, ImageVolume> volumes = [];
    private readonly VolumeGeometry patch;

    private LesionRoi(PhantomStudySpec study)
    {
        this.study = study;
        lesion = study.Lesions[0];
        patch = PhantomRenderer.PatchAround(study.SeriesFor(ContrastPhase.Arterial).Grid, lesion.Centre, lesion.BoundingRadiusMm + 12);
        foreach (var phase in new[] { ContrastPhase.PreContrast, ContrastPhase.Arterial, ContrastPhase.PortalVenous, ContrastPhase.Delayed })
        {
            volumes[phase] = PhantomRenderer.Render(study, study.SeriesFor(phase), patch);
        }
    }

    public LesionSpec Spec => lesion;

    /// <summary>The first study (seed from 1 up) whose single lesion has this class, these features and at least this diameter.</summary>
    public static LesionRoi Find(LesionClass lesionClass, double minimumDiameterMm, params RadiologicalFeature[] features)
    {
        for (var seed = 1; seed < 5000; seed++)
        {
            var study = PhantomStudyGenerator.Generate(seed, new StudyOptions { MinLesions = 1, MaxLesions = 1, RequiredClasses = [lesionClass] });
            var l = study.Lesions[0];
            if (l.Radii.X * 2 >= minimumDiameterMm && features.All(l.Has))
            {
                return new LesionRoi(study);
            }
        }

        throw new InvalidOperationException($"No seed below 5000 draws a {lesionClass} with {string.Join(", ", features)}.");
    }

    /// <summary>Median inside the lesion where minRho ≤ ρ &lt; maxRho (misregistration followed, gain divided out).</summary>
    public double Lesion(ContrastPhase phase, double minRho, double maxRho) =>
        Median(phase, p =>
        {
            var rho = lesion.Rho(p, out _);
            return rho >= minRho && rho < maxRho;
        });

    /// <summary>Median of liver parenchyma 4–12 mm outside the lesion, away from vessels.</summary>
    public double Liver(ContrastPhase phase)
    {
        var anatomy = study.Anatomy;
        return Median(phase, p =>
        {
            var outside = (1 - lesion.Rho(p, out _)) * -lesion.MeanRadiusMm;
            return outside is > 4 and < 12
                && anatomy.Liver.SignedDistance(p) < -4
                && anatomy.HepaticVessels.All(v => v.SignedDistance(p) > 3)
                && anatomy.MainVessels.All(v => v.SignedDistance(p) > 3)
                && (anatomy.Gallbladder is null || anatomy.Gallbladder.SignedDistance(p) > 3);
        });
    }

    private double Median(ContrastPhase phase, Func<Vector3d, bool> inRegion)
    {
        var series = study.SeriesFor(phase);
        var volume = volumes[phase];
        var values = new List<double>();
        for (var k = 0; k < patch.Slices; k++)
        {
            for (var j = 0; j < patch.Rows; j++)
            {
                for (var i = 0; i < patch.Columns; i++)
                {
                    var world = patch.IndexToWorld(i, j, k);
                    if (inRegion(world - series.Misregistration))
                    {
                        values.Add(volume[i, j, k] / series.Gain);
                    }
                }
            }
        }

        if (values.Count < 5)
        {
            throw new InvalidOperationException($"ROI holds only {values.Count} voxels on {phase}.");
        }

        values.Sort();
        return values[values.Count / 2];
    }
}
