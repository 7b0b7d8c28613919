namespace LiverFlow.Phantom.Generation;

/// <summary>Background tissues of the abdominal phantom.</summary>
public enum Tissue
{
    Fat,
    Muscle,
    Liver,
    Spleen,
    KidneyCortex,
    KidneyMedulla,
    Aorta,
    PortalVein,
    HepaticVein,
    InferiorVenaCava,
    BoneMarrow,
    Bile,
}

/// <summary>
/// How each tissue looks on fat-suppressed T1 gradient echo before and after an extracellular gadolinium
/// bolus (signal relative to unenhanced liver = 1), and on T2. Enhancement is relative: signal = pre·(1 + E(t)).
/// The curves encode the textbook timing: the aorta peaks in the late arterial phase, the portal vein
/// and liver in the portal venous phase, the hepatic veins and IVC fill after the portal system.
/// </summary>
public static class TissueKinetics
{
    private static readonly double[] Times = [0, 15, 22, 35, 70, 180, 300];

    public static double PreContrast(Tissue tissue) => tissue switch
    {
        Tissue.Fat => 0.15,
        Tissue.Muscle => 0.55,
        Tissue.Liver => 1.0,
        Tissue.Spleen => 0.75,
        Tissue.KidneyCortex => 0.8,
        Tissue.KidneyMedulla => 0.65,
        Tissue.Aorta or Tissue.PortalVein or Tissue.HepaticVein or Tissue.InferiorVenaCava => 0.55,
        Tissue.BoneMarrow => 0.35,
        Tissue.Bile => 0.25,
        _ => throw new ArgumentOutOfRangeException(nameof(tissue), tissue, null),
    };

    private static readonly Dictionary<Tissue, KineticCurve> Enhancement = new()
    {
        [Tissue.Fat] = new(Times, [0, 0, 0.01, 0.02, 0.03, 0.03, 0.03]),
        [Tissue.Muscle] = new(Times, [0, 0.02, 0.08, 0.2, 0.35, 0.4, 0.4]),
        [Tissue.Liver] = new(Times, [0, 0.02, 0.12, 0.4, 0.75, 0.65, 0.55]),
        [Tissue.Spleen] = new(Times, [0, 0.3, 1.4, 1.4, 1.0, 0.8, 0.7]),
        [Tissue.KidneyCortex] = new(Times, [0, 0.8, 2.6, 2.2, 1.6, 1.2, 1.0]),
        [Tissue.KidneyMedulla] = new(Times, [0, 0.1, 0.4, 1.2, 1.9, 1.5, 1.2]),
        [Tissue.Aorta] = new(Times, [0, 2.0, 6.5, 5.0, 3.0, 2.4, 2.1]),
        [Tissue.PortalVein] = new(Times, [0, 0.1, 0.8, 3.6, 3.8, 2.5, 2.2]),
        [Tissue.HepaticVein] = new(Times, [0, 0, 0.1, 0.8, 3.2, 2.4, 2.1]),
        [Tissue.InferiorVenaCava] = new(Times, [0, 0.1, 0.5, 1.2, 3.2, 2.4, 2.1]),
        [Tissue.BoneMarrow] = new(Times, [0, 0.05, 0.2, 0.4, 0.5, 0.5, 0.45]),
        [Tissue.Bile] = new(Times, [0, 0, 0, 0, 0, 0, 0]),
    };

    public static double RelativeEnhancement(Tissue tissue, double secondsAfterInjection) =>
        secondsAfterInjection <= 0 ? 0 : Enhancement[tissue].At(secondsAfterInjection);

    /// <summary>T2-weighted signal relative to liver: fluid and slow flow bright, solid organs intermediate.</summary>
    public static double T2(Tissue tissue) => tissue switch
    {
        Tissue.Fat => 0.3,
        Tissue.Muscle => 0.6,
        Tissue.Liver => 1.0,
        Tissue.Spleen => 1.9,
        Tissue.KidneyCortex => 1.8,
        Tissue.KidneyMedulla => 2.2,
        Tissue.Aorta or Tissue.PortalVein or Tissue.HepaticVein or Tissue.InferiorVenaCava => 0.25,
        Tissue.BoneMarrow => 0.7,
        Tissue.Bile => 5.0,
        _ => throw new ArgumentOutOfRangeException(nameof(tissue), tissue, null),
    };
}
