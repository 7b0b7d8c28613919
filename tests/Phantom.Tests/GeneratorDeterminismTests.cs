using LiverFlow.Imaging;
using LiverFlow.Phantom.Export;
using LiverFlow.Phantom.Generation;

namespace LiverFlow.Phantom.Tests;

public class GeneratorDeterminismTests
{
    [Fact]
    public void The_same_seed_draws_the_same_study()
    {
        var a = PhantomStudyGenerator.Generate(77);
        var b = PhantomStudyGenerator.Generate(77);
        Assert.Equal(a.Vendor, b.Vendor);
        Assert.Equal(a.Lesions.Select(l => (l.Class, l.Centre, l.Radii, string.Join(",", l.Features))), b.Lesions.Select(l => (l.Class, l.Centre, l.Radii, string.Join(",", l.Features))));
        Assert.Equal(a.Series.Select(s => (s.Grid, s.SecondsAfterInjection, s.Misregistration)), b.Series.Select(s => (s.Grid, s.SecondsAfterInjection, s.Misregistration)));
    }

    [Fact]
    public void The_same_seed_renders_bit_identical_voxels_and_another_seed_does_not()
    {
        static float[] Patch(int seed)
        {
            var study = PhantomStudyGenerator.Generate(seed, new StudyOptions { MinLesions = 1, MaxLesions = 1 });
            var arterial = study.SeriesFor(ContrastPhase.Arterial);
            var patch = PhantomRenderer.PatchAround(arterial.Grid, study.Lesions[0].Centre, 15);
            return PhantomRenderer.Render(study, arterial, patch).Voxels;
        }

        Assert.Equal(Patch(5), Patch(5));
        Assert.NotEqual(Patch(5), Patch(6));
    }

    [Fact]
    public void Training_samples_are_reproducible_from_their_seed()
    {
        var a = TrainingSampleFactory.Make(4242, LesionClass.Hemangioma);
        var b = TrainingSampleFactory.Make(4242, LesionClass.Hemangioma);
        Assert.Equal(a.Crop.Data, b.Crop.Data);
        Assert.Equal(LesionClass.Hemangioma, a.Lesion.Class);
    }

    [Fact]
    public void Rendering_only_the_voxels_a_crop_reads_gives_the_same_crop_as_rendering_everything()
    {
        var study = PhantomStudyGenerator.Generate(31, new StudyOptions { MinLesions = 1, MaxLesions = 1, RequiredClasses = [LesionClass.FocalNodularHyperplasia] });
        var lesion = study.Lesions[0];
        var arterial = study.SeriesFor(ContrastPhase.Arterial);
        var patch = PhantomRenderer.PatchAround(arterial.Grid, lesion.Centre, lesion.BoundingRadiusMm / LesionPreprocessor.LesionFraction + 8);
        var field = LesionPreprocessor.PlanField(patch, LesionRegion.FromMask(PhantomRenderer.RenderLesionMask(lesion, patch)));
        var needed = field.VoxelsRead(patch);
        var phases = new[] { ContrastPhase.Arterial, ContrastPhase.PortalVenous, ContrastPhase.Delayed };
        var sparse = phases.Select(p => PhantomRenderer.Render(study, study.SeriesFor(p), patch, needed)).ToArray();
        var dense = phases.Select(p => PhantomRenderer.Render(study, study.SeriesFor(p), patch)).ToArray();
        var preprocessor = new LesionPreprocessor();
        Assert.Equal(
            preprocessor.Crop(dense[0], dense[1], dense[2], field).Data,
            preprocessor.Crop(sparse[0], sparse[1], sparse[2], field).Data);
        Assert.True(needed.Count(n => n) < needed.Length, "the sparse render must skip voxels");
    }

    [Fact]
    public void Lesions_lie_inside_the_liver_and_do_not_overlap()
    {
        for (var seed = 1; seed <= 40; seed++)
        {
            var study = PhantomStudyGenerator.Generate(seed);
            foreach (var lesion in study.Lesions)
            {
                Assert.True(study.Anatomy.Liver.SignedDistance(lesion.Centre) < -lesion.Radii.X, $"seed {seed}: lesion {lesion.SegmentNumber} centre too close to the liver edge");
                foreach (var other in study.Lesions.Where(o => o.SegmentNumber > lesion.SegmentNumber))
                {
                    Assert.True((other.Centre - lesion.Centre).Length > lesion.Radii.X + other.Radii.X, $"seed {seed}: lesions overlap");
                }
            }
        }
    }
}
