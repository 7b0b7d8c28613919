namespace LiverFlow.Dicom.Tests.Conformance;

/// <summary>
/// dciodvfy (dicom3tools) checks an object against its IOD and catches what lenient readers accept
/// (over-long DS, wrong VR forms). Re-writing a file with LiverFlow must not add a single error.
/// </summary>
public sealed class IodValidationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("liverflow-dciodvfy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("debian-python3-pydicom/test_files/MR_small.dcm")]
    [InlineData("debian-python3-pydicom/test_files/CT_small.dcm")]
    [InlineData("debian-python3-pydicom/test_files/MR_small_bigendian.dcm")]
    [InlineData("pydicom-data/liver.dcm")]
    [InlineData("dcmqi/sr-example/sr.dcm")]
    [InlineData("highdicom/seg_image_ct_binary.dcm")]
    [InlineData("dcm_qa_enh/In/Siemens/XA10/6_1.dcm")]
    [InlineData("tcia-brain-tumor-progression_via_dash-vtk/T1post/1-01.dcm")]
    public void Rewriting_adds_no_iod_errors(string relative)
    {
        var original = TestData.File(relative);
        var rewritten = Path.Combine(_folder, "rewritten.dcm");
        var file = DicomFile.Open(original);
        file.WithTransferSyntax(file.FileMetaInfo.TransferSyntax.IsEncapsulated ? file.FileMetaInfo.TransferSyntax : DicomTransferSyntax.ExplicitVRLittleEndian).Save(rewritten);

        var before = Errors(original);
        var after = Errors(rewritten);

        var added = after.Except(before).ToList();
        Assert.True(added.Count == 0, $"dciodvfy reports new errors after LiverFlow rewrote {relative}:\n{string.Join("\n", added)}");
    }

    private static HashSet<string> Errors(string path)
    {
        var (_, stdout, stderr) = ExternalTools.Run(ExternalTools.RequireDciodvfy(), [path]);
        return (stdout + "\n" + stderr).Split('\n')
            .Where(l => l.StartsWith("Error", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
    }
}
