namespace LiverFlow.Phantom.Generation;

/// <summary>The 14 radiological features of Wang et al. 2019 (CNN interpretation, Eur Radiol part II).</summary>
public enum RadiologicalFeature
{
    ArterialPhaseHyperenhancement,
    Washout,
    EnhancingRimCapsule,
    HeterogeneousLesion,
    ProgressiveEnhancement,
    NodularGrowth,
    InfiltrativeGrowth,
    HypoenhancingCore,
    ThinWalled,
    HyperenhancingMassOnDelayedPhase,
    NodularDiscontinuousEnhancement,
    ProgressiveCentripetalFilling,
    IsointenseOnVenousDelayedPhase,
    CentralScar,
}

public static class RadiologicalFeatures
{
    public static string Code(this RadiologicalFeature f) => f switch
    {
        RadiologicalFeature.ArterialPhaseHyperenhancement => "arterial_phase_hyperenhancement",
        RadiologicalFeature.Washout => "washout",
        RadiologicalFeature.EnhancingRimCapsule => "enhancing_rim_capsule",
        RadiologicalFeature.HeterogeneousLesion => "heterogeneous_lesion",
        RadiologicalFeature.ProgressiveEnhancement => "progressive_enhancement",
        RadiologicalFeature.NodularGrowth => "nodular_growth",
        RadiologicalFeature.InfiltrativeGrowth => "infiltrative_growth",
        RadiologicalFeature.HypoenhancingCore => "hypoenhancing_core",
        RadiologicalFeature.ThinWalled => "thin_walled",
        RadiologicalFeature.HyperenhancingMassOnDelayedPhase => "hyperenhancing_mass_on_delayed_phase",
        RadiologicalFeature.NodularDiscontinuousEnhancement => "nodular_discontinuous_enhancement",
        RadiologicalFeature.ProgressiveCentripetalFilling => "progressive_centripetal_filling",
        RadiologicalFeature.IsointenseOnVenousDelayedPhase => "isointense_on_venous_delayed_phase",
        RadiologicalFeature.CentralScar => "central_scar",
        _ => throw new ArgumentOutOfRangeException(nameof(f), f, null),
    };
}
