using LiverFlow.Imaging;
using LiverFlow.Phantom.Generation;

namespace LiverFlow.Phantom.Export;

/// <summary>One exported lesion: the model input made by the shared preprocessing plus its ground truth.</summary>
public sealed record TrainingSample(
    int StudySeed,
    LesionSpec Lesion,
    double LongestDiameterMm,
    LesionCrop Crop,
    PhantomStudySpec Study);

/// <summary>
/// Makes a training sample from a seed: draws a one-lesion study, draws the lesion's mask on the arterial
/// acquisition grid as a SEG would hold it, plans the crop field, then renders the arterial, portal venous
/// and delayed series with the same renderer as whole studies but only at the voxels the crop reads (so
/// the crop is bit-identical to one from a whole-study render, at a fraction of the cost), and runs the
/// shared <see cref="LesionPreprocessor"/>.
/// </summary>
public static class TrainingSampleFactory
{
    public static TrainingSample Make(int studySeed, LesionClass lesionClass)
    {
        var study = PhantomStudyGenerator.Generate(studySeed, new StudyOptions { MinLesions = 1, MaxLesions = 1, RequiredClasses = [lesionClass] });
        var lesion = study.Lesions[0];
        var arterial = study.SeriesFor(ContrastPhase.Arterial);
        var patch = PhantomRenderer.PatchAround(arterial.Grid, lesion.Centre, lesion.BoundingRadiusMm / LesionPreprocessor.LesionFraction + 8);
        var mask = PhantomRenderer.RenderLesionMask(lesion, patch);
        var field = LesionPreprocessor.PlanField(patch, LesionRegion.FromMask(mask));
        var needed = field.VoxelsRead(patch);
        var arterialVolume = PhantomRenderer.Render(study, arterial, patch, needed);
        var portalVenous = PhantomRenderer.Render(study, study.SeriesFor(ContrastPhase.PortalVenous), patch, needed);
        var delayed = PhantomRenderer.Render(study, study.SeriesFor(ContrastPhase.Delayed), patch, needed);
        var crop = new LesionPreprocessor().Crop(arterialVolume, portalVenous, delayed, field);
        return new TrainingSample(studySeed, lesion, LesionFactory.LongestDiameterMm(lesion), crop, study);
    }
}
