using LiverFlow.Imaging;
using LiverFlow.Phantom.Generation;
using static LiverFlow.Imaging.ContrastPhase;
using static LiverFlow.Phantom.Generation.RadiologicalFeature;

namespace LiverFlow.Phantom.Tests;

/// <summary>Each feature is rendered so that ROI measurements on the noisy series show what a radiologist would read.</summary>
public class RadiologicalAppearanceTests
{
    [Fact]
    public void Hcc_with_hyperenhancement_and_washout_is_brighter_than_liver_on_arterial_and_darker_on_delayed()
    {
        var roi = LesionRoi.Find(LesionClass.HepatocellularCarcinoma, 20, ArterialPhaseHyperenhancement, Washout);
        var arterial = roi.Lesion(Arterial, 0, 0.5) / roi.Liver(Arterial);
        var portal = roi.Lesion(PortalVenous, 0, 0.5) / roi.Liver(PortalVenous);
        var delayed = roi.Lesion(Delayed, 0, 0.5) / roi.Liver(Delayed);
        Assert.True(arterial > 1.1, $"APHE: lesion/liver {arterial:0.00} on arterial");
        // Washout may still be partial early in the portal venous window (60 s); by the delayed phase it is plain.
        Assert.True(portal < 1.05 && portal < arterial - 0.3, $"hyperenhancement lost on portal venous: lesion/liver {portal:0.00}");
        Assert.True(delayed < 0.95, $"washout: lesion/liver {delayed:0.00} on delayed");
    }

    [Fact]
    public void Hcc_capsule_is_a_rim_brighter_than_liver_on_the_delayed_phase()
    {
        var roi = LesionRoi.Find(LesionClass.HepatocellularCarcinoma, 30, EnhancingRimCapsule, Washout);
        var capsuleInnerRho = 1 - roi.Spec.Appearance.CapsuleMm / roi.Spec.MeanRadiusMm;
        Assert.True(roi.Lesion(Delayed, capsuleInnerRho, 1.0) > roi.Liver(Delayed), "enhancing capsule");
        Assert.True(roi.Lesion(Delayed, capsuleInnerRho, 1.0) > 1.2 * roi.Lesion(Delayed, 0, 0.5), "capsule brighter than the washed-out tumour");
    }

    [Fact]
    public void Simple_cyst_does_not_enhance_while_the_liver_does()
    {
        var roi = LesionRoi.Find(LesionClass.SimpleCyst, 15);
        var pre = roi.Lesion(PreContrast, 0, 0.6);
        foreach (var phase in new[] { Arterial, PortalVenous, Delayed })
        {
            Assert.InRange(roi.Lesion(phase, 0, 0.6) / pre, 0.85, 1.15);
        }

        Assert.True(roi.Liver(PortalVenous) / roi.Liver(PreContrast) > 1.4, "the liver enhances");
        Assert.True(roi.Lesion(PortalVenous, 0, 0.6) < 0.4 * roi.Liver(PortalVenous), "the cyst is dark against enhanced liver");
    }

    [Fact]
    public void Hemangioma_fills_centripetally_and_is_bright_on_the_delayed_phase()
    {
        var roi = LesionRoi.Find(LesionClass.Hemangioma, 30, NodularDiscontinuousEnhancement, ProgressiveCentripetalFilling, HyperenhancingMassOnDelayedPhase);
        var centreArterial = roi.Lesion(Arterial, 0, 0.3) / roi.Liver(Arterial);
        var centrePortal = roi.Lesion(PortalVenous, 0, 0.3) / roi.Liver(PortalVenous);
        var middlePortal = roi.Lesion(PortalVenous, 0.6, 0.75) / roi.Liver(PortalVenous);
        var middleArterial = roi.Lesion(Arterial, 0.6, 0.75) / roi.Liver(Arterial);
        var centreDelayed = roi.Lesion(Delayed, 0, 0.3) / roi.Liver(Delayed);
        Assert.True(centreArterial < 0.8, $"centre unfilled on arterial ({centreArterial:0.00})");
        Assert.True(middlePortal > middleArterial + 0.2, $"the filling front moves inward ({middleArterial:0.00} → {middlePortal:0.00})");
        Assert.True(centreDelayed > centrePortal, "the centre fills last");
        Assert.True(roi.Lesion(Delayed, 0, 0.9) > roi.Liver(Delayed), "hyperenhancing mass on the delayed phase");
    }

    [Fact]
    public void Fnh_hyperenhances_on_the_arterial_phase_and_is_isointense_later()
    {
        var roi = LesionRoi.Find(LesionClass.FocalNodularHyperplasia, 20, IsointenseOnVenousDelayedPhase);
        Assert.True(roi.Lesion(Arterial, 0.3, 0.8) > 1.25 * roi.Liver(Arterial), "APHE");
        Assert.InRange(roi.Lesion(PortalVenous, 0.3, 0.8) / roi.Liver(PortalVenous), 0.88, 1.12);
        Assert.InRange(roi.Lesion(Delayed, 0.3, 0.8) / roi.Liver(Delayed), 0.88, 1.12);
    }

    [Fact]
    public void Fnh_central_scar_is_dark_on_the_arterial_phase_and_enhances_late()
    {
        var roi = LesionRoi.Find(LesionClass.FocalNodularHyperplasia, 35, CentralScar);
        var radius = roi.Spec.Appearance.ScarRadius * 0.8;
        var arterial = roi.Lesion(Arterial, 0, radius) / roi.Lesion(Arterial, 0.45, 0.85);
        var delayed = roi.Lesion(Delayed, 0, radius) / roi.Lesion(Delayed, 0.45, 0.85);
        Assert.True(arterial < 0.7, $"scar hypointense to the lesion on arterial ({arterial:0.00})");
        Assert.True(delayed > 1.0, $"scar enhances on delayed ({delayed:0.00})");
    }

    [Fact]
    public void Colorectal_metastasis_has_an_enhancing_rim_around_a_hypoenhancing_core()
    {
        var roi = LesionRoi.Find(LesionClass.ColorectalMetastasis, 25, HypoenhancingCore);
        var core = roi.Spec.Appearance.CoreRadius * 0.6;
        var rimFrom = 1 - roi.Spec.Appearance.RimWidth * 0.8;
        Assert.True(roi.Lesion(Arterial, rimFrom, 0.97) > 1.4 * roi.Lesion(Arterial, 0, core), "rim brighter than the core on arterial");
        foreach (var phase in new[] { Arterial, PortalVenous, Delayed })
        {
            Assert.True(roi.Lesion(phase, 0, core) < 0.75 * roi.Liver(phase), $"core hypoenhancing on {phase}");
        }
    }

    [Fact]
    public void Cholangiocarcinoma_with_progressive_enhancement_gains_on_the_liver_towards_the_delayed_phase()
    {
        var roi = LesionRoi.Find(LesionClass.IntrahepaticCholangiocarcinoma, 25, ProgressiveEnhancement);
        var arterial = roi.Lesion(Arterial, 0, 0.6) / roi.Liver(Arterial);
        var delayed = roi.Lesion(Delayed, 0, 0.6) / roi.Liver(Delayed);
        Assert.True(delayed > arterial + 0.2, $"progressive enhancement ({arterial:0.00} → {delayed:0.00})");
    }

    [Theory]
    [InlineData(LesionClass.HepatocellularCarcinoma)]
    [InlineData(LesionClass.IntrahepaticCholangiocarcinoma)]
    [InlineData(LesionClass.ColorectalMetastasis)]
    [InlineData(LesionClass.SimpleCyst)]
    [InlineData(LesionClass.Hemangioma)]
    [InlineData(LesionClass.FocalNodularHyperplasia)]
    public void Features_are_drawn_per_lesion_not_implied_by_the_class(LesionClass lesionClass)
    {
        var featureSets = new HashSet<string>();
        for (var seed = 1; seed <= 60; seed++)
        {
            var study = PhantomStudyGenerator.Generate(seed, new StudyOptions { MinLesions = 1, MaxLesions = 1, RequiredClasses = [lesionClass] });
            featureSets.Add(string.Join(",", study.Lesions[0].Features.Order()));
            Assert.NotEmpty(study.Lesions[0].Features);
            Assert.InRange(study.Lesions[0].Radii.X * 2, LesionFactory.MinimumDiameterMm, LesionFactory.MaximumDiameterMm);
        }

        Assert.True(featureSets.Count >= 2, $"{lesionClass} always drew the same features: {string.Join(" | ", featureSets)}");
    }
}
