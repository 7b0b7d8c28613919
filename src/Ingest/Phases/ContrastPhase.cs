namespace LiverFlow.Ingest.Phases;

/// <summary>The phase of a dynamic contrast-enhanced liver MRI acquisition.</summary>
public enum ContrastPhase
{
    /// <summary>Not part of the dynamic T1 acquisition the model reads (T2, DWI, in/opposed phase, localizer, derived, other modality).</summary>
    Other = 0,
    PreContrast,
    Arterial,
    PortalVenous,
    /// <summary>Equilibrium phase (extracellular agents), about 3–5 minutes after injection.</summary>
    Delayed,
    /// <summary>With gadoxetate the 2–5 minute phase is "transitional" (LI-RADS v2018), not a true delayed phase.</summary>
    Transitional,
    /// <summary>With gadoxetate, about 20 minutes after injection.</summary>
    Hepatobiliary,
}
