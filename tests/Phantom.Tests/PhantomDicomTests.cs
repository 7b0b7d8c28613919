using System.Text.Json;
using System.Text.Json.Nodes;
using LiverFlow.Phantom.Generation;
using LiverFlow.Phantom.Output;

namespace LiverFlow.Phantom.Tests;

/// <summary>One small phantom study per vendor style, written once and checked by dciodvfy, dcmdump and pydicom.</summary>
public sealed class PhantomStudyFixture
{
    public PhantomStudyFixture()
    {
        Root = TestEnvironment.TempDirectory("dicom");
        foreach (var vendor in Enum.GetValues<VendorStyle>())
        {
            var seed = 900 + (int)vendor;
            var spec = PhantomStudyGenerator.Generate(seed, new StudyOptions { MinLesions = 2, MaxLesions = 2, MaxColumns = 128, MaxSlices = 28, Vendor = vendor });
            Studies[vendor] = (spec, PhantomDicomWriter.WriteStudy(spec, Root));
        }
    }

    public string Root { get; }

    public Dictionary<VendorStyle, (PhantomStudySpec Spec, string Directory)> Studies { get; } = [];
}

public class PhantomDicomTests(PhantomStudyFixture fixture) : IClassFixture<PhantomStudyFixture>
{
    public static TheoryData<VendorStyle> Vendors => new(Enum.GetValues<VendorStyle>());

    [Theory]
    [MemberData(nameof(Vendors))]
    public void Every_written_object_passes_dciodvfy_without_errors(VendorStyle vendor)
    {
        var directory = fixture.Studies[vendor].Directory;
        var files = Directory.GetDirectories(directory).Select(d => Directory.GetFiles(d, "*.dcm").Order().First()).ToList();
        Assert.Equal(vendor == VendorStyle.GeLava ? 6 : 7, files.Count);
        foreach (var file in files)
        {
            var (_, output) = TestEnvironment.Run("dciodvfy", [file], "dicom3tools");
            var errors = output.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"{Path.GetRelativePath(directory, file)}:\n{string.Join('\n', errors)}");
        }
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void Pydicom_reads_the_phases_and_the_segmentation_back(VendorStyle vendor)
    {
        var (spec, directory) = fixture.Studies[vendor];
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "Phantom.Tests", "scripts", "read_phantom_study.py");
        var summary = JsonNode.Parse(TestEnvironment.RunPython(script, directory))!.AsObject();
        var truth = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "ground-truth.json")))!.AsObject();
        var series = summary["series"]!.AsObject();

        var postContrast = series.Where(s => s.Value!["contrast"]!.GetValue<bool>()).ToList();
        var contrastAcquisitions = postContrast.Sum(s => s.Value!["acquisition_times"]!.AsArray().Count);
        Assert.Equal(3, contrastAcquisitions);
        if (vendor == VendorStyle.GeLava)
        {
            Assert.Contains(postContrast, s => s.Value!["temporal_positions"]!.AsArray().Count == 2);
        }

        var seg = summary["seg"]!;
        Assert.Equal("1.2.840.10008.5.1.4.1.1.66.4", seg["sop_class"]!.GetValue<string>());
        Assert.Equal("BINARY", seg["type"]!.GetValue<string>());
        Assert.Equal(1, seg["bits_allocated"]!.GetValue<int>());
        Assert.Equal(spec.Lesions.Select(l => l.SegmentNumber), seg["segments"]!.AsArray().Select(n => n!.GetValue<int>()));
        foreach (var lesion in truth["lesions"]!.AsArray())
        {
            var number = lesion!["segment_number"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(lesion["mask_voxels"]!.GetValue<int>(), seg["voxels_per_segment"]![number]!.GetValue<int>());
        }

        var referenced = seg["referenced_series"]!.GetValue<string>();
        Assert.Equal(truth["segmentation_references_series_instance_uid"]!.GetValue<string>(), referenced);
        var source = series[referenced]!;
        Assert.Contains(seg["first_source_instance"]!.GetValue<string>(), source["sop_instances"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(source["frame_of_reference"]!.GetValue<string>(), seg["frame_of_reference"]!.GetValue<string>());
    }

    [Fact]
    public void Dcmdump_parses_the_segmentation()
    {
        var directory = fixture.Studies[VendorStyle.SiemensVibe].Directory;
        var seg = Directory.GetFiles(Path.Combine(directory, "99_SEG")).Single();
        var (code, output) = TestEnvironment.Run("dcmdump", ["-q", seg], "dcmtk");
        Assert.Equal(0, code);
        Assert.Contains("(0062,0001) CS [BINARY]", output, StringComparison.Ordinal);
        Assert.Contains("PlanePositionSequence", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Ground_truth_lists_each_lesion_with_class_features_size_and_centre()
    {
        var (spec, directory) = fixture.Studies[VendorStyle.PhilipsThrive];
        var truth = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "ground-truth.json")))!.AsObject();
        var lesions = truth["lesions"]!.AsArray();
        Assert.Equal(spec.Lesions.Count, lesions.Count);
        for (var n = 0; n < lesions.Count; n++)
        {
            var l = lesions[n]!;
            Assert.Equal(spec.Lesions[n].Class.Code(), l["class"]!.GetValue<string>());
            Assert.Equal(spec.Lesions[n].Features.Select(f => f.Code()), l["features"]!.AsArray().Select(f => f!.GetValue<string>()));
            Assert.InRange(l["longest_diameter_mm"]!.GetValue<double>(), spec.Lesions[n].Radii.X * 2 * 0.8, spec.Lesions[n].Radii.X * 2 * 1.8);
            Assert.Equal(3, l["centre_lps_mm"]!.AsArray().Count);
        }
    }

    [Fact]
    public void The_same_seed_writes_the_same_uids()
    {
        Assert.Equal(DeterministicUids.For(900, "study"), DeterministicUids.For(900, "study"));
        Assert.NotEqual(DeterministicUids.For(900, "study"), DeterministicUids.For(901, "study"));
        var uid = DeterministicUids.For(123456, "instance/arterial/17");
        Assert.StartsWith("2.25.", uid, StringComparison.Ordinal);
        Assert.True(uid.Length <= 64, "UIDs hold at most 64 characters");
        _ = JsonSerializer.Serialize(uid);
    }
}
