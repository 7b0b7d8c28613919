using LiverFlow.Dicom;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Assembly;
using LiverFlow.Ingest.Phases;
using LiverFlow.Ingest.Tests.Support;

namespace LiverFlow.Ingest.Tests;

/// <summary>
/// The assembler on studies written by pydicom (an independent writer) in each vendor's habits, and on
/// real public files: phases, volumes on the arterial grid, and SEG lesions against the generator's truth.
/// </summary>
public sealed class StudyAssemblerTests(GeneratedStudies studies) : IClassFixture<GeneratedStudies>
{
    private static readonly StudyAssembler Assembler = new(new ContrastPhaseClassifier(new PhaseRules()));

    internal static List<DicomDataset> Load(string folder) =>
        Directory.EnumerateFiles(folder, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => DicomFile.Open(f).Dataset).ToList();

    [Theory]
    [InlineData("siemens", false)]
    [InlineData("ge", true)]
    [InlineData("philips", false)]
    public async Task Vendor_study_yields_every_phase_on_the_arterial_grid_and_its_lesions(string vendor, bool fractionalSeg)
    {
        var truth = await studies.GetAsync(vendor, fractional: fractionalSeg);
        var result = Assembler.Assemble(Load(truth.Folder));

        Assert.True(result.IsUsable, result.AttentionReason);
        AssertPhasesMatchTruth(truth, result);
        Assert.Equal(["PreContrast", "Arterial", "PortalVenous", "Delayed"], result.Volumes.Select(v => v.Phase.ToString()));
        var grid = result.Grid!;
        Assert.All(result.Volumes, v => Assert.True(v.Volume.Geometry.SameGridAs(grid)));
        Assert.Equal((61, 59, 24), (grid.Columns, grid.Rows, grid.Slices));
        // Spacing from positions (3 mm), not SliceThickness (3.5 mm).
        Assert.Equal(3.0, grid.SliceSpacing, 3);
        AssertLesionsMatchTruth(truth, result.Lesions.Select(l => l.Measurement).ToList(), grid);
    }

    internal static void AssertPhasesMatchTruth(StudyTruth truth, AssemblyResult result)
    {
        foreach (var decision in result.Assessment!.Decisions)
        {
            var expected = truth.ExpectedPhase(decision.Series.SeriesInstanceUid, decision.Series.TemporalPositionIdentifier);
            Assert.True(expected == decision.Phase?.ToString(),
                $"{truth.Vendor} {decision.Series.Label}: expected {expected ?? "no phase"}, got {decision.PhaseName} ({decision.Reason})");
        }
    }

    internal static void AssertLesionsMatchTruth(StudyTruth truth, IReadOnlyList<Lesions.LesionMeasurement> measured, VolumeGeometry grid)
    {
        Assert.Equal(truth.Lesions.Count, measured.Count);
        foreach (var lesion in truth.Lesions)
        {
            var centre = new Vector3d(lesion.CentreLps[0], lesion.CentreLps[1], lesion.CentreLps[2]);
            var nearest = measured.MinBy(m => (m.Centre - centre).Length)!;
            var d = nearest.Centre - centre;
            // Within one voxel along each axis of the grid.
            Assert.True(Math.Abs(d.Dot(grid.RowDirection)) <= grid.ColumnSpacing && Math.Abs(d.Dot(grid.ColumnDirection)) <= grid.RowSpacing
                && Math.Abs(d.Dot(grid.SliceDirection)) <= grid.SliceSpacing, $"{lesion.Label}: centre {nearest.Centre} vs truth {centre}");
            Assert.True(Math.Abs(nearest.LongestDiameterMm - lesion.DiameterMm) <= 0.1 * lesion.DiameterMm,
                $"{lesion.Label}: longest diameter {nearest.LongestDiameterMm:0.0} mm vs truth {lesion.DiameterMm:0.0} mm");
            Assert.True(Math.Abs(nearest.VolumeMm3 - lesion.VolumeMm3) <= 0.1 * lesion.VolumeMm3,
                $"{lesion.Label}: volume {nearest.VolumeMm3:0} mm³ vs truth {lesion.VolumeMm3:0} mm³");
        }
    }

    [Fact]
    public async Task Study_without_an_arterial_phase_needs_attention_and_says_which_series_it_has()
    {
        var truth = await studies.GetAsync("ge", "no-arterial");
        var result = Assembler.Assemble(Load(truth.Folder));
        Assert.False(result.IsUsable);
        Assert.StartsWith("no arterial phase", result.AttentionReason, StringComparison.Ordinal);
        Assert.Contains("Ax LAVA-Flex", result.AttentionReason, StringComparison.Ordinal);
        Assert.Empty(result.Volumes);
    }

    [Fact]
    public async Task Ct_study_needs_attention_because_it_is_not_mr()
    {
        var truth = await studies.GetAsync("ge", "ct");
        var result = Assembler.Assemble(Load(truth.Folder));
        Assert.False(result.IsUsable);
        Assert.Contains("modality CT is not MR", result.AttentionReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Brain_mr_from_tcia_needs_attention_with_the_missing_phases()
    {
        var result = Assembler.Assemble(Load(TestPaths.Shared("tcia-brain-tumor-progression_via_dash-vtk/T1post")));
        Assert.False(result.IsUsable);
        Assert.StartsWith("no arterial phase: no dynamic T1 series among series 11 'T1post': body part BRAIN is not a liver examination", result.AttentionReason, StringComparison.Ordinal);
        Assert.Contains("no portal venous phase", result.AttentionReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Tcia_oblique_series_is_stacked_with_the_spacing_of_its_positions_not_its_slice_thickness()
    {
        var images = Load(TestPaths.Shared("tcia-brain-tumor-progression_via_dash-vtk/T1post"));
        var group = Assert.Single(StudyAssembler.GroupSeries(images));
        var (volume, notes, problem) = StudyAssembler.BuildVolume(group.Frames);
        Assert.Null(problem);
        Assert.Equal(24, volume!.Geometry.Slices);
        Assert.Equal(6.5, volume.Geometry.SliceSpacing, 1);
        Assert.Contains(notes, n => n.Contains("differs from SliceThickness", StringComparison.Ordinal));
    }

    [Fact]
    public void Tri_plane_survey_is_split_by_orientation_never_stacked_across_them()
    {
        var images = Load(TestPaths.Shared("fo-dicom/abd1"));
        var group = Assert.Single(StudyAssembler.GroupSeries(images));
        var (volume, notes, problem) = StudyAssembler.BuildVolume(group.Frames);
        Assert.Null(problem);
        // 5 coronal, 3 axial and 3 sagittal images: the coronal stack is kept, the others are left out, none is mixed in.
        Assert.Equal(5, volume!.Geometry.Slices);
        Assert.Equal(25.0, volume.Geometry.SliceSpacing, 3);
        Assert.Equal(1.0, Math.Abs(volume.Geometry.SliceDirection.Y), 6);
        Assert.Contains(notes, n => n.Contains("kept the largest of 3 image groups", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_multiphase_series_is_split_by_temporal_position_into_one_header_per_phase()
    {
        var truth = await studies.GetAsync("siemens");
        var groups = StudyAssembler.GroupSeries(Load(truth.Folder).Where(d => d.Contains(DicomTag.PixelData) && d.GetSingleValueOrDefault(DicomTag.Modality, "") == "MR").ToList());
        var dynamic = groups.Where(g => g.Header.SeriesDescription == "t1_vibe_fs_tra_bh_3 x dyn_Gd").ToList();
        Assert.Equal([1, 2, 3], dynamic.Select(g => g.Header.TemporalPositionIdentifier ?? 0));
        Assert.All(dynamic, g => Assert.Equal(24, g.Frames.Count));
        Assert.All(dynamic, g => Assert.Equal(3, g.Header.NumberOfTemporalPositions));
    }
}
