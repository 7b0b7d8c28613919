namespace LiverFlow.Imaging;

/// <summary>Dynamic contrast phases of a liver MRI examination.</summary>
public enum ContrastPhase
{
    PreContrast,
    Arterial,
    PortalVenous,
    Delayed,
    Transitional,
    Hepatobiliary,
}
