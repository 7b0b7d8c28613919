using System.Buffers.Binary;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Assembly;
using LiverFlow.Ingest.Tests.Support;

namespace LiverFlow.Ingest.Tests;

/// <summary>
/// Voxel order and affine against dcm2niix, an independent converter, on the real files of
/// neurolabusc/dcm_qa_enh and dcm_qa_decubitus: every voxel of our volume, placed in patient
/// coordinates by our geometry, must land on a voxel centre of dcm2niix's NIfTI through its sform, and
/// the intensities there must be the same image (linear in each other: the two may scale differently).
/// A flipped axis, a swapped row/column or a slice order by InstanceNumber fails both.
/// </summary>
public sealed class DcmQaReferenceTests
{
    [Fact]
    public void Siemens_XA10_enhanced_multiframe_volumes_match_the_dcm2niix_reference_voxel_for_voxel()
    {
        var reference = ReferenceNifti.Read(TestPaths.Shared("dcm_qa_enh/Ref/Siemens_REST1_w_SMS_PF7-8_6.nii"));
        Assert.Equal(4, reference.Volumes);
        for (var t = 0; t < 4; t++)
        {
            // Each file is one time point of six slices (an SMS fMRI run cut short).
            var images = StudyAssemblerTests.Load(TestPaths.Shared("dcm_qa_enh/In/Siemens/XA10")).Where((_, n) => n == t).ToList();
            var group = Assert.Single(StudyAssembler.GroupSeries(images));
            var (volume, _, problem) = StudyAssembler.BuildVolume(group.Frames);
            Assert.Null(problem);
            Assert.Equal((64, 64, 6), (volume!.Geometry.Columns, volume.Geometry.Rows, volume.Geometry.Slices));
            AssertSameImage(volume, reference, t, $"file 6_{t + 1}");
        }
    }

    [Fact]
    public void Philips_enhanced_field_map_is_split_by_frame_type_and_each_part_matches_its_dcm2niix_reference()
    {
        var images = StudyAssemblerTests.Load(TestPaths.Shared("dcm_qa_enh/In/Philips"));
        var groups = StudyAssembler.GroupSeries(images);

        // 64 frames: a magnitude and a field map at each of 32 positions. Stacked together they would be duplicates.
        Assert.Equal(2, groups.Count);
        Assert.Equal(["M", "FIELD_MAP"], groups.Select(g => g.Header.ImageType[3]).Order(StringComparer.Ordinal).Reverse());
        var magnitude = groups.Single(g => g.Header.ImageType[3] == "M");
        var fieldMap = groups.Single(g => g.Header.ImageType[3] == "FIELD_MAP");
        Assert.All(groups, g => Assert.Equal(32, g.Frames.Count));

        var (m, _, problem) = StudyAssembler.BuildVolume(magnitude.Frames);
        Assert.Null(problem);
        AssertSameImage(m!, ReferenceNifti.Read(TestPaths.Shared("dcm_qa_enh/Ref/Philips_WIP_B0_NS_801_e1.nii")), 0, "magnitude");
        var (f, _, fieldProblem) = StudyAssembler.BuildVolume(fieldMap.Frames);
        Assert.Null(fieldProblem);
        AssertSameImage(f!, ReferenceNifti.Read(TestPaths.Shared("dcm_qa_enh/Ref/Philips_WIP_B0_NS_801_e2_fieldmaphz.nii")), 0, "field map");
    }

    [Fact]
    public void Head_first_decubitus_sagittal_series_takes_its_geometry_from_the_headers_as_dcm2niix_does()
    {
        // The reference NIfTI was too large for the snapshot; its sidecar gives what dcm2niix derived.
        var images = StudyAssemblerTests.Load(TestPaths.Shared("dcm_qa_decubitus/HFDR_t1_fl2d_sag"));
        var group = Assert.Single(StudyAssembler.GroupSeries(images));
        var (volume, notes, problem) = StudyAssembler.BuildVolume(group.Frames);
        Assert.Null(problem);
        var g = volume!.Geometry;
        Assert.Equal((256, 256, 35), (g.Columns, g.Rows, g.Slices));
        Assert.Equal(4.8, g.SliceSpacing, 3); // SpacingBetweenSlices in the sidecar; SliceThickness is 4
        Assert.Contains(notes, n => n.Contains("differs from SliceThickness", StringComparison.Ordinal));
        // ImageOrientationPatientDICOM [0, 1, 0, 0, 0, -1]: a sagittal plane whatever the patient's position on the table.
        Assert.Equal(1.0, g.RowDirection.Y, 6);
        Assert.Equal(-1.0, g.ColumnDirection.Z, 6);
        Assert.Equal(1.0, Math.Abs(g.SliceDirection.X), 6);
        // Slices ordered along the normal: each one 4.8 mm further than the one before.
        for (var k = 1; k < g.Slices; k++)
        {
            Assert.Equal(4.8, (g.SlicePosition(k) - g.SlicePosition(k - 1)).Dot(g.SliceDirection), 2);
        }
    }

    private static void AssertSameImage(ImageVolume ours, ReferenceNifti reference, int volumeIndex, string what)
    {
        var g = ours.Geometry;
        double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        var worstOffGrid = 0.0;
        for (var k = 0; k < g.Slices; k++)
        {
            for (var j = 0; j < g.Rows; j++)
            {
                for (var i = 0; i < g.Columns; i++)
                {
                    var lps = g.IndexToWorld(i, j, k);
                    var (ri, rj, rk) = reference.RasToIndex(-lps.X, -lps.Y, lps.Z);
                    var (ni, nj, nk) = ((int)Math.Round(ri), (int)Math.Round(rj), (int)Math.Round(rk));
                    worstOffGrid = Math.Max(worstOffGrid, Math.Max(Math.Abs(ri - ni), Math.Max(Math.Abs(rj - nj), Math.Abs(rk - nk))));
                    Assert.True(ni >= 0 && ni < reference.Nx && nj >= 0 && nj < reference.Ny && nk >= 0 && nk < reference.Nz,
                        $"{what}: our voxel ({i}, {j}, {k}) at LPS {lps} falls outside dcm2niix's volume (index {ri:F2}, {rj:F2}, {rk:F2})");
                    double x = ours[i, j, k], y = reference.Value(ni, nj, nk, volumeIndex);
                    n++;
                    sx += x;
                    sy += y;
                    sxx += x * x;
                    syy += y * y;
                    sxy += x * y;
                }
            }
        }

        Assert.True(worstOffGrid < 0.05, $"{what}: voxel centres disagree with dcm2niix's affine by up to {worstOffGrid:F3} voxel");
        var correlation = (n * sxy - sx * sy) / Math.Sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
        Assert.True(correlation > 0.9999, $"{what}: intensities at the same patient positions correlate only {correlation:F5} with dcm2niix's");
    }

    /// <summary>Just enough of NIfTI-1 to read dcm2niix's output: int16/uint16/float32 voxels, scaling and the sform.</summary>
    private sealed class ReferenceNifti
    {
        private readonly byte[] _file;
        private readonly int _offset;
        private readonly short _datatype;
        private readonly double _slope;
        private readonly double _intercept;
        private readonly double[,] _inverse;

        private ReferenceNifti(byte[] file)
        {
            _file = file;
            var header = file.AsSpan();
            Assert.Equal(348, BinaryPrimitives.ReadInt32LittleEndian(header));
            Nx = BinaryPrimitives.ReadInt16LittleEndian(header[42..]);
            Ny = BinaryPrimitives.ReadInt16LittleEndian(header[44..]);
            Nz = BinaryPrimitives.ReadInt16LittleEndian(header[46..]);
            Volumes = BinaryPrimitives.ReadInt16LittleEndian(header[40..]) >= 4 ? BinaryPrimitives.ReadInt16LittleEndian(header[48..]) : 1;
            _datatype = BinaryPrimitives.ReadInt16LittleEndian(header[70..]);
            _offset = (int)BinaryPrimitives.ReadSingleLittleEndian(header[108..]);
            var slope = BinaryPrimitives.ReadSingleLittleEndian(header[112..]);
            _slope = slope == 0 ? 1 : slope;
            _intercept = BinaryPrimitives.ReadSingleLittleEndian(header[116..]);
            Assert.True(BinaryPrimitives.ReadInt16LittleEndian(header[254..]) > 0, "the reference has no sform");
            var sform = new double[3, 4];
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 4; c++)
                {
                    sform[r, c] = BinaryPrimitives.ReadSingleLittleEndian(header[(280 + 16 * r + 4 * c)..]);
                }
            }

            _inverse = Invert(sform);
        }

        public int Nx { get; }

        public int Ny { get; }

        public int Nz { get; }

        public int Volumes { get; }

        public static ReferenceNifti Read(string path) => new(File.ReadAllBytes(path));

        public (double I, double J, double K) RasToIndex(double x, double y, double z) =>
        (
            _inverse[0, 0] * x + _inverse[0, 1] * y + _inverse[0, 2] * z + _inverse[0, 3],
            _inverse[1, 0] * x + _inverse[1, 1] * y + _inverse[1, 2] * z + _inverse[1, 3],
            _inverse[2, 0] * x + _inverse[2, 1] * y + _inverse[2, 2] * z + _inverse[2, 3]
        );

        public double Value(int i, int j, int k, int t)
        {
            var index = i + Nx * (j + Ny * (k + Nz * (long)t));
            var raw = _datatype switch
            {
                4 => BinaryPrimitives.ReadInt16LittleEndian(_file.AsSpan((int)(_offset + 2 * index))),
                512 => BinaryPrimitives.ReadUInt16LittleEndian(_file.AsSpan((int)(_offset + 2 * index))),
                16 => BinaryPrimitives.ReadSingleLittleEndian(_file.AsSpan((int)(_offset + 4 * index))),
                _ => throw new NotSupportedException($"NIfTI datatype {_datatype}"),
            };
            return raw * _slope + _intercept;
        }

        /// <summary>Inverts the 3×4 affine [A | b] into [A⁻¹ | −A⁻¹b].</summary>
        private static double[,] Invert(double[,] m)
        {
            var det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
                + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
            var a = new double[3, 3];
            a[0, 0] = (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) / det;
            a[0, 1] = (m[0, 2] * m[2, 1] - m[0, 1] * m[2, 2]) / det;
            a[0, 2] = (m[0, 1] * m[1, 2] - m[0, 2] * m[1, 1]) / det;
            a[1, 0] = (m[1, 2] * m[2, 0] - m[1, 0] * m[2, 2]) / det;
            a[1, 1] = (m[0, 0] * m[2, 2] - m[0, 2] * m[2, 0]) / det;
            a[1, 2] = (m[0, 2] * m[1, 0] - m[0, 0] * m[1, 2]) / det;
            a[2, 0] = (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]) / det;
            a[2, 1] = (m[0, 1] * m[2, 0] - m[0, 0] * m[2, 1]) / det;
            a[2, 2] = (m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]) / det;
            var result = new double[3, 4];
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 3; c++)
                {
                    result[r, c] = a[r, c];
                }

                result[r, 3] = -(a[r, 0] * m[0, 3] + a[r, 1] * m[1, 3] + a[r, 2] * m[2, 3]);
            }

            return result;
        }
    }
}
