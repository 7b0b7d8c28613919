using LiverFlow.Contracts;
using LiverFlow.Imaging;
using LiverFlow.Inference.Studies;
using LiverFlow.Inference.Tests.Support;
using LiverFlow.Ingest.Storage;
using LiverFlow.Messaging;

namespace LiverFlow.Inference.Tests;

public class StudyInputsTests
{
    [Fact]
    public void A_volume_written_by_ingest_reads_back_with_its_grid_and_voxels()
    {
        var geometry = new VolumeGeometry(5, 4, 3, new Vector3d(-12.5, 30.25, -7), new Vector3d(0, 1, 0), new Vector3d(0, 0, -1), new Vector3d(1, 0, 0), 0.75, 1.25, 3.5);
        var volume = new ImageVolume(geometry, Enumerable.Range(0, geometry.VoxelCount).Select(i => i * 1.5f - 7f).ToArray());
        using var stream = new MemoryStream();
        NiftiWriter.Write(stream, volume);
        var read = NiftiReader.ReadVolume(stream.ToArray(), "test.nii");
        Assert.Equal(volume.Voxels, read.Voxels);
        var g = read.Geometry;
        Assert.Equal((5, 4, 3), (g.Columns, g.Rows, g.Slices));
        foreach (var (i, j, k) in new[] { (0, 0, 0), (4, 3, 2), (2, 1, 1) })
        {
            var expected = geometry.IndexToWorld(i, j, k);
            var actual = g.IndexToWorld(i, j, k);
            Assert.True((expected - actual).Length < 1e-4, $"voxel ({i},{j},{k}) at {actual}, expected {expected}");
        }
    }

    [Fact]
    public void A_file_that_is_not_nifti_or_is_truncated_is_refused_with_its_name()
    {
        Assert.Contains("bad.nii", Assert.Throws<InvalidDataException>(() => NiftiReader.ReadVolume(new byte[400], "bad.nii")).Message, StringComparison.Ordinal);
        var volume = new ImageVolume(SyntheticStudy.Grid);
        using var stream = new MemoryStream();
        NiftiWriter.Write(stream, volume);
        var truncated = stream.ToArray()[..1000];
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => NiftiReader.ReadVolume(truncated, "short.nii")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crops_from_the_stored_study_equal_the_shared_preprocessing_on_the_original_volumes()
    {
        var study = new SyntheticStudy(TestModel.TempDirectory("store"), (32, 30, 12, 5.0), (40, 44, 8, 3.0));
        var inputs = StudyInputs.Read(study.Message, study.Store);
        var crops = inputs.MakeCrops(new LesionPreprocessor());
        Assert.Equal([1, 2], crops.Select(c => c.LesionNumber));
        foreach (var input in crops)
        {
            Assert.Null(input.Problem);
            var expected = study.ExpectedCrop(input.LesionNumber);
            var worst = expected.Data.Zip(input.Crop!.Data).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(worst < 1e-5, $"lesion {input.LesionNumber}: crops differ by up to {worst:E2}");
        }
    }

    [Fact]
    public void A_lesion_at_the_volume_edge_or_without_a_mask_is_flagged_with_its_reason_and_the_others_proceed()
    {
        var study = new SyntheticStudy(TestModel.TempDirectory("store"), [(32, 30, 12, 5.0), (0, 0, 12, 6.0)], listedWithoutMask: [3]);
        var crops = StudyInputs.Read(study.Message, study.Store).MakeCrops(new LesionPreprocessor());
        Assert.Equal([1, 2, 3], crops.Select(c => c.LesionNumber));
        Assert.NotNull(crops[0].Crop);
        Assert.Null(crops[1].Crop);
        Assert.Contains("beyond the arterial volume", crops[1].Problem, StringComparison.Ordinal);
        Assert.Null(crops[2].Crop);
        Assert.Contains("empty", crops[2].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Lesions_already_stored_for_the_model_are_not_cropped_again()
    {
        var study = new SyntheticStudy(TestModel.TempDirectory("store"), (32, 30, 12, 5.0), (40, 44, 8, 3.0));
        var crops = StudyInputs.Read(study.Message, study.Store).MakeCrops(new LesionPreprocessor(), new HashSet<int> { 1 });
        Assert.Equal([2], crops.Select(c => c.LesionNumber));
    }

    [Fact]
    public void A_volume_altered_in_the_store_is_refused_by_its_hash()
    {
        var study = new SyntheticStudy(TestModel.TempDirectory("store"), (32, 30, 12, 5.0));
        var arterial = study.Message.Phases.First(p => p.Phase == "Arterial").Volume;
        var path = study.Store.PathOf(arterial.StorageKey);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => StudyInputs.Read(study.Message, study.Store));
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_without_the_three_phases_the_model_reads_is_poison()
    {
        var study = new SyntheticStudy(TestModel.TempDirectory("store"), (32, 30, 12, 5.0));
        var withoutDelayed = study.Message with { Phases = study.Message.Phases.Where(p => p.Phase != "Delayed").ToList() };
        var e = Assert.Throws<PoisonMessageException>(() => StudyInputs.Read(withoutDelayed, study.Store));
        Assert.Contains("Delayed", e.Message, StringComparison.Ordinal);
    }
}
