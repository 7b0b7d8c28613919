using System.Globalization;
using LiverFlow.Dicom;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Lesions;
using LiverFlow.Ingest.Tests.Support;
using LiverFlow.Ingest.Volumes;

namespace LiverFlow.Ingest.Tests;

public sealed class SegmentationReaderTests
{
    private static readonly Dictionary<(string, int), SliceHeader> NoSources = [];

    /// <summary>pydicom's own decoding of the same file is the reference (frames of 510×510 bits do not end on a byte).</summary>
    [Theory]
    [InlineData("pydicom-data/liver.dcm")]
    [InlineData("pydicom-data/liver_nonbyte_aligned.dcm")]
    public async Task Binary_seg_frames_decode_pixel_for_pixel_like_pydicom(string file)
    {
        var path = TestPaths.Shared(file);
        var script = Path.Combine(TestPaths.Tools, "seg_counts.py");
        var reference = (await ExternalTools.PythonAsync(script, path)).Trim().Split(' ').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();

        var segment = Assert.Single(SegmentationReader.Read(DicomFile.Open(path).Dataset, NoSources));
        Assert.Equal(reference, segment.Frames.Select(f => f.Pixels.Count(p => p)));
        Assert.Equal(new Vector3d(-235.2, -226.8, -128.69), segment.Frames[0].Position);
    }

    [Fact]
    public void Frames_without_plane_position_are_placed_through_their_source_image()
    {
        var seg = new DicomDataset()
            .Add(DicomTag.Rows, (ushort)2).Add(DicomTag.Columns, (ushort)3).Add(DicomTag.NumberOfFrames, "1")
            .Add(DicomTag.BitsAllocated, (ushort)1).Add(DicomTag.SegmentationType, "BINARY")
            .Add(new DicomElement(DicomTag.PixelData, DicomVR.OB, new byte[] { 0b0010_0001 }));
        var source = new DicomDataset().Add(DicomTag.ReferencedSOPInstanceUID, "1.2.3.4");
        var derivation = new DicomDataset().Add(new DicomSequence(DicomTag.SourceImageSequence, source));
        var ident = new DicomDataset().Add(DicomTag.ReferencedSegmentNumber, (ushort)7);
        seg.Add(new DicomSequence(DicomTag.PerFrameFunctionalGroupsSequence, new DicomDataset()
            .Add(new DicomSequence(DicomTag.DerivationImageSequence, derivation))
            .Add(new DicomSequence(DicomTag.SegmentIdentificationSequence, ident))));
        var slice = new SliceHeader
        {
            SopInstanceUid = "1.2.3.4", ImagePositionPatient = new Vector3d(10, 20, 30), RowDirection = new Vector3d(1, 0, 0),
            ColumnDirection = new Vector3d(0, 1, 0), RowSpacing = 2, ColumnSpacing = 1, Rows = 2, Columns = 3,
        };

        var segment = Assert.Single(SegmentationReader.Read(seg, new Dictionary<(string, int), SliceHeader> { [("1.2.3.4", 0)] = slice }));
        Assert.Equal(7, segment.Number);
        var frame = Assert.Single(segment.Frames);
        Assert.Equal(new Vector3d(10, 20, 30), frame.Position);
        // Bits 0 and 5 (LSB first): row 0 column 0, and row 1 column 2.
        Assert.Equal([true, false, false, false, false, true], frame.Pixels);

        var grid = VolumeGeometry.Axial(3, 2, 1, new Vector3d(10, 20, 30), 1, 2, 1);
        var mask = SegmentationReader.Rasterize(segment, grid);
        Assert.True(mask[grid.Index(0, 0, 0)] && mask[grid.Index(2, 1, 0)]);
        Assert.Equal(2, mask.Count(m => m));
    }

    [Fact]
    public void A_frame_that_cannot_be_placed_is_an_error_that_says_so()
    {
        var seg = new DicomDataset()
            .Add(DicomTag.Rows, (ushort)1).Add(DicomTag.Columns, (ushort)8).Add(DicomTag.NumberOfFrames, "1")
            .Add(DicomTag.BitsAllocated, (ushort)1).Add(DicomTag.SegmentationType, "BINARY")
            .Add(new DicomElement(DicomTag.PixelData, DicomVR.OB, new byte[] { 0xFF, 0 }))
            .Add(new DicomSequence(DicomTag.PerFrameFunctionalGroupsSequence, new DicomDataset()
                .Add(new DicomSequence(DicomTag.SegmentIdentificationSequence, new DicomDataset().Add(DicomTag.ReferencedSegmentNumber, (ushort)1)))));
        var ex = Assert.Throws<SegmentationException>(() => SegmentationReader.Read(seg, NoSources));
        Assert.Contains("frame 1 cannot be placed", ex.Message, StringComparison.Ordinal);
    }
}
