using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Generation;

public enum VendorStyle
{
    SiemensVibe,
    GeLava,
    PhilipsThrive,
}

/// <summary>The patient's anatomy in patient coordinates (LPS, mm); the liver is centred near z = 0.</summary>
public sealed class AnatomySpec
{
    /// <summary>Semi-axes of the body's elliptical cross-section (left–right, anterior–posterior).</summary>
    public required double BodySemiAxisX { get; init; }

    public required double BodySemiAxisY { get; init; }

    public required double SubcutaneousFatMm { get; init; }

    public required double MuscleWallMm { get; init; }

    public required Ellipsoid Liver { get; init; }

    public required Ellipsoid Spleen { get; init; }

    public required IReadOnlyList<Ellipsoid> Kidneys { get; init; }

    public Ellipsoid? Gallbladder { get; init; }

    public required double SpineX { get; init; }

    public required double SpineY { get; init; }

    public required double SpineRadiusMm { get; init; }

    /// <summary>Aorta, IVC and portal trunk.</summary>
    public required IReadOnlyList<VesselSegment> MainVessels { get; init; }

    /// <summary>Portal and hepatic vein branches, drawn only inside the liver.</summary>
    public required IReadOnlyList<VesselSegment> HepaticVessels { get; init; }

    public required int LiverTextureSeed { get; init; }

    public required double LiverTextureAmplitude { get; init; }

    /// <summary>Per-patient multipliers of each tissue's unenhanced signal and of its enhancement.</summary>
    public required IReadOnlyList<double> PreFactor { get; init; }

    public required IReadOnlyList<double> EnhancementFactor { get; init; }
}

/// <summary>One acquired series of the study.</summary>
public sealed record SeriesSpec(
    string Role,
    ContrastPhase? Phase,
    PulseSequence Sequence,
    double SecondsAfterInjection,
    Vector3d Misregistration,
    VolumeGeometry Grid,
    double SliceThicknessMm,
    double Gain,
    int NoiseSeed);

/// <summary>Everything needed to render a study deterministically.</summary>
public sealed class PhantomStudySpec
{
    public required int Seed { get; init; }

    public required VendorStyle Vendor { get; init; }

    public required AnatomySpec Anatomy { get; init; }

    public required IReadOnlyList<LesionSpec> Lesions { get; init; }

    /// <summary>Pre-contrast, arterial, portal venous, delayed (T1 FS), then T2 and the localizer.</summary>
    public required IReadOnlyList<SeriesSpec> Series { get; init; }

    /// <summary>Stored value of unenhanced liver before gain and bias.</summary>
    public required double IntensityScale { get; init; }

    /// <summary>Noise standard deviation relative to unenhanced liver (1/SNR).</summary>
    public required double RelativeNoise { get; init; }

    /// <summary>Receive-coil shading: linear gradients per axis and a radial term, relative per 200 mm.</summary>
    public required Vector3d BiasGradient { get; init; }

    public required double BiasRadial { get; init; }

    public SeriesSpec SeriesFor(ContrastPhase phase) =>
        Series.FirstOrDefault(s => s.Phase == phase && s.Sequence == PulseSequence.T1FatSuppressed)
        ?? throw new InvalidOperationException($"The study has no {phase} series.");
}
