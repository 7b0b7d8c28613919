using System.Buffers.Binary;
using LiverFlow.Dicom;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Assembly;
using LiverFlow.Ingest.Lesions;
using LiverFlow.Ingest.Receiving;
using LiverFlow.Ingest.Storage;
using LiverFlow.Ingest.Volumes;

namespace LiverFlow.Ingest.Tests;

public sealed class DicomTimeTests
{
    [Theory]
    [InlineData("100030", 10, 0, 30, 0)]
    [InlineData("100030.250000", 10, 0, 30, 250)]
    [InlineData("1000", 10, 0, 0, 0)]
    [InlineData("10", 10, 0, 0, 0)]
    [InlineData("10:00:30", 10, 0, 30, 0)]
    [InlineData(" 235959.5 ", 23, 59, 59, 500)]
    public void Valid_times_parse(string text, int h, int m, int s, int ms) =>
        Assert.Equal(new TimeOnly(h, m, s, ms), DicomValues.ParseTime(text));

    [Theory]
    [InlineData("")]
    [InlineData("25")]
    [InlineData("1061")]
    [InlineData("10003")]
    [InlineData("ab0000")]
    [InlineData("100030.x")]
    public void Invalid_times_are_absent_rather_than_guessed(string text) => Assert.Null(DicomValues.ParseTime(text));
}

public sealed class InstanceCheckTests
{
    private static DicomDataset Image(int pixelBytes, ushort rows = 4, ushort columns = 4, string frames = "1") => new DicomDataset()
        .Add(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.4").Add(DicomTag.SOPInstanceUID, "1.2.3.1")
        .Add(DicomTag.StudyInstanceUID, "1.2.3").Add(DicomTag.SeriesInstanceUID, "1.2.3.9")
        .Add(DicomTag.Rows, rows).Add(DicomTag.Columns, columns).Add(DicomTag.BitsAllocated, (ushort)16).Add(DicomTag.NumberOfFrames, frames)
        .Add(new DicomElement(DicomTag.PixelData, DicomVR.OW, new byte[pixelBytes]));

    [Fact]
    public void Complete_image_is_accepted() => Assert.Null(InstanceCheck.Inspect(Image(32)).Problem);

    [Theory]
    [InlineData(30, "1", "pixel data is truncated: 30 bytes where 1 frame(s) of 4×4 at 16 bits need 32")]
    [InlineData(32, "2", "pixel data is truncated: 32 bytes where 2 frame(s) of 4×4 at 16 bits need 64")]
    public void Truncated_pixel_data_is_refused_with_the_sizes(int bytes, string frames, string expected) =>
        Assert.Equal(expected, InstanceCheck.Inspect(Image(bytes, frames: frames)).Problem);

    [Theory]
    [InlineData(nameof(DicomTag.StudyInstanceUID), "no Study Instance UID (0020,000D)")]
    [InlineData(nameof(DicomTag.SeriesInstanceUID), "no Series Instance UID (0020,000E)")]
    [InlineData(nameof(DicomTag.SOPInstanceUID), "no SOP Instance UID (0008,0018)")]
    public void Missing_identifiers_are_refused_by_name(string keyword, string expectedStart)
    {
        var ds = Image(32);
        ds.Remove(keyword switch
        {
            nameof(DicomTag.StudyInstanceUID) => DicomTag.StudyInstanceUID,
            nameof(DicomTag.SeriesInstanceUID) => DicomTag.SeriesInstanceUID,
            _ => DicomTag.SOPInstanceUID,
        });
        Assert.StartsWith(expectedStart, InstanceCheck.Inspect(ds).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_uid_is_refused()
    {
        var ds = Image(32).AddOrUpdate(DicomTag.StudyInstanceUID, "1.02.x");
        Assert.StartsWith("Study Instance UID is not a valid DICOM UID", InstanceCheck.Inspect(ds).Problem, StringComparison.Ordinal);
    }
}

public sealed class PixelDecodeTests
{
    private static ImageFrame Frame(DicomDataset ds, double slope = 1, double intercept = 0) => new("1.2", new SliceHeader
    {
        SopInstanceUid = "1.2.3", ImagePositionPatient = Vector3d.Zero, RowDirection = new Vector3d(1, 0, 0), ColumnDirection = new Vector3d(0, 1, 0),
        RowSpacing = 1, ColumnSpacing = 1, Rows = 1, Columns = 2,
    }, ds, null, null, slope, intercept);

    [Theory]
    // 12 bits stored, signed: 0x0FFF is −1; bits above the high bit are ignored.
    [InlineData(1, 12, 0x0FFF, -1.0)]
    [InlineData(1, 12, 0xF7FF, 2047.0)]
    [InlineData(0, 12, 0xF123, 0x123)]
    [InlineData(0, 16, 0xFFFF, 65535.0)]
    [InlineData(1, 16, 0x8000, -32768.0)]
    public void Stored_bits_and_sign_are_honoured(int pixelRepresentation, int bitsStored, int raw, double expected)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)raw);
        var ds = new DicomDataset().Add(DicomTag.BitsAllocated, (ushort)16).Add(DicomTag.BitsStored, (ushort)bitsStored)
            .Add(DicomTag.PixelRepresentation, (ushort)pixelRepresentation).Add(new DicomElement(DicomTag.PixelData, DicomVR.OW, bytes));
        var target = new float[2];
        ImageFrames.Decode(Frame(ds), target);
        Assert.Equal(expected, target[0]);
    }

    [Fact]
    public void Rescale_is_applied()
    {
        var ds = new DicomDataset().Add(DicomTag.BitsAllocated, (ushort)16).Add(DicomTag.BitsStored, (ushort)16)
            .Add(new DicomElement(DicomTag.PixelData, DicomVR.OW, new byte[] { 100, 0, 0, 4 }));
        var target = new float[2];
        ImageFrames.Decode(Frame(ds, 2, -1024), target);
        Assert.Equal([-824f, 1024f], target);
    }

    [Fact]
    public void Colour_images_are_refused_with_the_reason()
    {
        var ds = new DicomDataset().Add(DicomTag.SamplesPerPixel, (ushort)3).Add(DicomTag.BitsAllocated, (ushort)8)
            .Add(new DicomElement(DicomTag.PixelData, DicomVR.OB, new byte[6]));
        var ex = Assert.Throws<ImageDecodeException>(() => ImageFrames.Decode(Frame(ds), new float[2]));
        Assert.Contains("3 samples per pixel", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class LesionMeasurerTests
{
    [Theory]
    [InlineData(1.0, 1.0, 1.0, 20.0)]
    [InlineData(0.8, 0.8, 2.0, 24.0)]
    [InlineData(1.5, 1.5, 3.0, 30.0)]
    public void Voxelised_sphere_measures_within_ten_percent(double pixel, double pixelY, double slice, double diameter)
    {
        var n = (int)Math.Ceiling(diameter / Math.Min(pixel, slice)) + 6;
        var grid = new VolumeGeometry(n, n, n, new Vector3d(-10, 5, 7), new Vector3d(1, 0, 0), new Vector3d(0, 0, -1), new Vector3d(0, 1, 0), pixel, pixelY, slice);
        var centre = grid.IndexToWorld(n / 2.0 - 0.3, n / 2.0 + 0.2, n / 2.0 - 0.1);
        var mask = new bool[grid.VoxelCount];
        for (var k = 0; k < n; k++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var i = 0; i < n; i++)
                {
                    mask[grid.Index(i, j, k)] = (grid.IndexToWorld(i, j, k) - centre).Length <= diameter / 2;
                }
            }
        }
        var m = LesionMeasurer.Measure(mask, grid)!;
        var volume = 4.0 / 3 * Math.PI * Math.Pow(diameter / 2, 3);
        Assert.InRange(m.LongestDiameterMm, 0.9 * diameter, 1.1 * diameter);
        Assert.InRange(m.VolumeMm3, 0.9 * volume, 1.1 * volume);
        Assert.True((m.Centre - centre).Length < Math.Max(pixel, slice));
        Assert.True(m.PatientMin.X < centre.X && m.PatientMax.X > centre.X && m.PatientMin.Z < centre.Z && m.PatientMax.Z > centre.Z);
    }

    [Fact]
    public void Single_voxel_lesion_is_one_voxel_wide_and_boxed_on_its_faces()
    {
        var grid = VolumeGeometry.Axial(3, 3, 3, Vector3d.Zero, 1, 2, 3);
        var mask = new bool[27];
        mask[grid.Index(1, 1, 1)] = true;
        var m = LesionMeasurer.Measure(mask, grid)!;
        Assert.Equal(1, m.VoxelCount);
        Assert.Equal(6.0, m.VolumeMm3, 6);
        Assert.Equal((1, 1, 1), m.BoxMin);
        Assert.Equal(new Vector3d(0.5, 1, 1.5), m.PatientMin);
        Assert.Equal(new Vector3d(1.5, 3, 4.5), m.PatientMax);
    }

    [Fact]
    public void Empty_mask_is_no_lesion() => Assert.Null(LesionMeasurer.Measure(new bool[8], VolumeGeometry.Axial(2, 2, 2, Vector3d.Zero, 1, 1, 1)));

    [Theory]
    [InlineData("""{"studyInstanceUid": "1.2.3", "lesions": [{"label": "a", "minPatientMm": [0, 0, 0], "maxPatientMm": [1, 2, 3]}]}""", null)]
    [InlineData("""{"studyInstanceUid": "1.2.3", "lesions": []}""", null)]
    [InlineData("""{"lesions": []}""", "needs a string property 'studyInstanceUid'")]
    [InlineData("""{"studyInstanceUid": "1.02", "lesions": []}""", "'studyInstanceUid' is not a valid DICOM UID")]
    [InlineData("""{"studyInstanceUid": "1.2.3", "lesions": [{"minPatientMm": [0, 0], "maxPatientMm": [1, 2, 3]}]}""", "lesion 1 needs 'minPatientMm' and 'maxPatientMm' as three numbers each (patient coordinates, mm)")]
    [InlineData("""{"studyInstanceUid": "1.2.3"}""", "needs an array property 'lesions' (empty when the study has none)")]
    public void Sidecar_parsing_names_what_is_wrong(string json, string? problem) => Assert.Equal(problem, LesionSidecar.Parse(json).Problem);
}

public sealed class NiftiWriterTests
{
    [Fact]
    public void Header_affine_maps_voxels_to_ras_and_data_follows_at_352()
    {
        var grid = new VolumeGeometry(4, 3, 2, new Vector3d(10, -20, 30), new Vector3d(1, 0, 0), new Vector3d(0, 0, -1), new Vector3d(0, 1, 0), 0.5, 0.75, 2);
        var volume = new ImageVolume(grid, Enumerable.Range(0, 24).Select(v => (float)v).ToArray());
        using var stream = new MemoryStream();
        NiftiWriter.Write(stream, volume);
        var bytes = stream.ToArray();

        Assert.Equal(352 + 24 * 4, bytes.Length);
        Assert.Equal(348, BinaryPrimitives.ReadInt32LittleEndian(bytes));
        Assert.Equal([3, 4, 3, 2], Enumerable.Range(0, 4).Select(n => (int)BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(40 + 2 * n))));
        Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(70)));
        Assert.Equal("n+1\0", System.Text.Encoding.ASCII.GetString(bytes, 344, 4));
        float Srow(int r, int c) => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(280 + 16 * r + 4 * c));
        // Voxel (i, j, k) in RAS = (−x, −y, z) of its LPS position.
        foreach (var (i, j, k) in new[] { (0, 0, 0), (3, 2, 1), (1, 2, 0) })
        {
            var lps = grid.IndexToWorld(i, j, k);
            Assert.Equal(-lps.X, Srow(0, 0) * i + Srow(0, 1) * j + Srow(0, 2) * k + Srow(0, 3), 4);
            Assert.Equal(-lps.Y, Srow(1, 0) * i + Srow(1, 1) * j + Srow(1, 2) * k + Srow(1, 3), 4);
            Assert.Equal(lps.Z, Srow(2, 0) * i + Srow(2, 1) * j + Srow(2, 2) * k + Srow(2, 3), 4);
        }
        Assert.Equal(23f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(352 + 23 * 4)));
    }
}
