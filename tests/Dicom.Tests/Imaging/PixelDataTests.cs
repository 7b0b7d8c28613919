using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using LiverFlow.Dicom.Imaging;

namespace LiverFlow.Dicom.Tests.Imaging;

public class PixelDataTests
{
    private static readonly string[] ComparedFiles =
    [
        "debian-python3-pydicom/test_files/MR_small.dcm",
        "debian-python3-pydicom/test_files/MR_small_RLE.dcm",
        "debian-python3-pydicom/test_files/MR_small_bigendian.dcm",
        "debian-python3-pydicom/test_files/SC_rgb_rle.dcm",
        "debian-python3-pydicom/test_files/SC_rgb_rle_16bit_2frame.dcm",
        "debian-python3-pydicom/test_files/SC_rgb_rle_32bit_2frame.dcm",
        "debian-python3-pydicom/test_files/rtdose_rle.dcm",
        "debian-python3-pydicom/test_files/CT_small.dcm",
        "pydicom-data/emri_small.dcm",
        "pydicom-data/emri_small_RLE.dcm",
        "pydicom-data/emri_small_big_endian.dcm",
        "pydicom-data/liver.dcm",
        "pydicom-data/liver_nonbyte_aligned.dcm",
        "pydicom-data/MR2_UNCR.dcm",
        "pydicom-data/OT-PAL-8-face.dcm",
    ];

    public static TheoryData<string> PydicomComparedFiles() => new(ComparedFiles);

    private static readonly Lazy<Dictionary<string, string[]>> PydicomFrames = new(() =>
    {
        ExternalTools.RequirePydicom();
        var paths = ComparedFiles.Select(TestData.File).ToList();
        var script = Path.Combine(AppContext.BaseDirectory, "Imaging", "pydicom_pixels.py");
        var (code, stdout, stderr) = ExternalTools.Run(ExternalTools.DebianPython, [script], JsonSerializer.Serialize(paths));
        Assert.True(code == 0, $"pydicom_pixels.py failed: {stderr}");
        return JsonSerializer.Deserialize<Dictionary<string, string[]>>(stdout)!;
    });

    [Theory]
    [MemberData(nameof(PydicomComparedFiles))]
    public void Frames_equal_pydicom_pixel_array(string relative)
    {
        var path = TestData.File(relative);
        var expected = PydicomFrames.Value[path];
        var pixels = DicomPixelData.Create(DicomFile.Open(path).Dataset);

        Assert.Equal(expected.Length, pixels.NumberOfFrames);
        for (var frame = 0; frame < pixels.NumberOfFrames; frame++)
        {
            var values = pixels.GetFrame<long>(frame);
            var hash = Convert.ToHexStringLower(SHA1.HashData(MemoryMarshal.AsBytes(values.AsSpan())));
            Assert.True(expected[frame] == hash, $"{relative} frame {frame}: pydicom {expected[frame]}, LiverFlow {hash}");
        }
    }

    [Fact]
    public void Rle_frames_decode_to_the_uncompressed_twin()
    {
        var native = DicomPixelData.Create(DicomFile.Open(TestData.File("pydicom-data/emri_small.dcm")).Dataset);
        var rle = DicomPixelData.Create(DicomFile.Open(TestData.File("pydicom-data/emri_small_RLE.dcm")).Dataset);

        Assert.Equal(10, rle.NumberOfFrames);
        for (var frame = 0; frame < 10; frame++)
        {
            Assert.Equal(native.GetFrame<ushort>(frame), rle.GetFrame<ushort>(frame));
        }
    }

    [Fact]
    public void One_bit_rle_frames_decode_to_the_uncompressed_twin()
    {
        // pydicom 2.3 cannot decode 1-bit RLE, so the native file is the reference.
        var native = DicomPixelData.Create(DicomFile.Open(TestData.File("pydicom-data/liver.dcm")).Dataset);
        var rle = DicomPixelData.Create(DicomFile.Open(TestData.File("pydicom-data/liver_rle.dcm")).Dataset);

        for (var frame = 0; frame < native.NumberOfFrames; frame++)
        {
            Assert.Equal(native.GetFrame<byte>(frame), rle.GetFrame<byte>(frame));
        }
    }

    [Fact]
    public void One_bit_frames_that_start_mid_byte_are_unpacked_from_bit_i_times_rows_times_columns()
    {
        // 510 × 510 = 260100 pixels: frame 1 starts at bit 260100, i.e. bit 4 of byte 32512.
        var aligned = DicomPixelData.Create(DicomFile.Open(TestData.File("pydicom-data/liver_nonbyte_aligned.dcm")).Dataset);
        var rle = DicomPixelData.Create(DicomFile.Open(TestData.File("pydicom-data/liver_nonbyte_aligned_rle.dcm")).Dataset);

        Assert.Equal(1, aligned.BitsAllocated);
        for (var frame = 0; frame < aligned.NumberOfFrames; frame++)
        {
            var bits = aligned.GetFrame<byte>(frame);
            Assert.Equal(rle.GetFrame<byte>(frame), bits);
            Assert.Contains(bits, b => b == 1);
        }
    }

    [Theory]
    [InlineData(12, 11, 0, (ushort)0xF800, 0x0800)]
    [InlineData(12, 11, 1, (ushort)0x0800, -2048)]
    [InlineData(12, 11, 1, (ushort)0x07FF, 2047)]
    [InlineData(12, 11, 1, (ushort)0xFFFF, -1)]
    [InlineData(12, 15, 0, (ushort)0xABC0, 0xABC)]
    [InlineData(16, 15, 1, (ushort)0x8000, -32768)]
    public void Stored_values_are_masked_to_bits_stored_and_sign_extended(int bitsStored, int highBit, int pixelRepresentation, ushort raw, int expected)
    {
        var dataset = Image(rows: 1, columns: 1, bitsAllocated: 16, bitsStored, highBit, pixelRepresentation, BitConverter.GetBytes(raw));

        Assert.Equal(expected, DicomPixelData.Create(dataset).GetFrame<int>(0)[0]);
    }

    [Fact]
    public void Rescale_slope_and_intercept_give_modality_values()
    {
        var dataset = Image(1, 2, 16, 16, 15, 1, [0x10, 0x00, 0xF0, 0xFF])
            .Add(DicomTag.RescaleSlope, 2.0)
            .Add(DicomTag.RescaleIntercept, -1024.0);

        Assert.Equal([-992f, -1056f], DicomPixelData.Create(dataset).GetModalityFrame(0));
    }

    [Fact]
    public void Pixel_data_shorter_than_rows_times_columns_times_frames_is_rejected()
    {
        var dataset = Image(4, 4, 16, 16, 15, 0, new byte[30]);

        var ex = Assert.Throws<DicomPixelDataException>(() => DicomPixelData.Create(dataset));
        Assert.Contains("holds 30 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allocation_beyond_the_configured_limit_is_refused_before_decoding()
    {
        var dataset = Image(1000, 1000, 16, 16, 15, 0, new byte[2]).AddOrUpdate(DicomTag.NumberOfFrames, "5000");

        var ex = Assert.Throws<DicomPixelDataException>(() => DicomPixelData.Create(dataset, new DicomPixelDataOptions { MaxTotalBytes = 100_000_000 }));
        Assert.Contains("over the configured limit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_signed_samples_as_unsigned_type_is_refused()
    {
        var dataset = Image(1, 1, 16, 16, 15, 1, new byte[2]);

        Assert.Throws<DicomPixelDataException>(() => DicomPixelData.Create(dataset).GetFrame<ushort>(0));
    }

    [Fact]
    public void Jpeg_pixel_data_is_kept_but_decoding_names_the_syntax()
    {
        var file = DicomFile.Open(TestData.File("debian-python3-pydicom/test_files/JPEG2000.dcm"));
        var pixels = DicomPixelData.Create(file.Dataset);

        Assert.False(pixels.GetEncodedFrame(0).IsEmpty);
        var ex = Assert.Throws<DicomPixelDataException>(() => pixels.GetFrameData(0));
        Assert.Contains("JPEG 2000", ex.Message, StringComparison.Ordinal);
    }

    private static DicomDataset Image(int rows, int columns, int bitsAllocated, int bitsStored, int highBit, int pixelRepresentation, byte[] pixels) =>
        new DicomDataset()
            .Add(DicomTag.Rows, (ushort)rows)
            .Add(DicomTag.Columns, (ushort)columns)
            .Add(DicomTag.BitsAllocated, (ushort)bitsAllocated)
            .Add(DicomTag.BitsStored, (ushort)bitsStored)
            .Add(DicomTag.HighBit, (ushort)highBit)
            .Add(DicomTag.PixelRepresentation, (ushort)pixelRepresentation)
            .Add(DicomTag.SamplesPerPixel, (ushort)1)
            .Add(DicomTag.PixelData, DicomVR.OW, pixels);
}

public class DecompressorTests
{
    [Theory]
    [InlineData("pydicom-data/emri_small_RLE.dcm", "pydicom-data/emri_small.dcm")]
    [InlineData("debian-python3-pydicom/test_files/MR_small_RLE.dcm", "debian-python3-pydicom/test_files/MR_small.dcm")]
    [InlineData("pydicom-data/liver_rle.dcm", "pydicom-data/liver.dcm")]
    [InlineData("pydicom-data/liver_nonbyte_aligned_rle.dcm", "pydicom-data/liver_nonbyte_aligned.dcm")]
    public void Rle_files_decompress_to_the_pixel_bytes_of_their_uncompressed_twin(string rle, string native)
    {
        var decompressed = DicomDecompressor.Decompress(DicomFile.Open(TestData.File(rle)));
        using var memory = new MemoryStream();
        decompressed.Save(memory);
        var reread = DicomFile.Open(memory.ToArray());

        var expected = DicomFile.Open(TestData.File(native)).Dataset.GetElement(DicomTag.PixelData)!.Buffer.ToArray();
        var actual = reread.Dataset.GetElement(DicomTag.PixelData)!.Buffer.ToArray();
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, reread.FileMetaInfo.TransferSyntax);
        Assert.Equal(expected.Length + (expected.Length & 1), actual.Length);
        Assert.Equal(expected, actual[..expected.Length]);
    }

    [Theory]
    [InlineData("debian-python3-pydicom/test_files/SC_rgb_rle_16bit_2frame.dcm")]
    [InlineData("debian-python3-pydicom/test_files/SC_rgb_rle_32bit_2frame.dcm")]
    [InlineData("debian-python3-pydicom/test_files/rtdose_rle.dcm")]
    public void Decompressed_colour_and_multi_frame_files_keep_every_sample(string relative)
    {
        // The RLE frames themselves are checked against pydicom's pixel_array in PixelDataTests.
        var original = DicomPixelData.Create(DicomFile.Open(TestData.File(relative)).Dataset);
        var decompressed = DicomPixelData.Create(DicomDecompressor.Decompress(DicomFile.Open(TestData.File(relative))).Dataset);

        Assert.Equal(original.NumberOfFrames, decompressed.NumberOfFrames);
        for (var frame = 0; frame < original.NumberOfFrames; frame++)
        {
            Assert.Equal(original.GetFrame<long>(frame), decompressed.GetFrame<long>(frame));
        }
    }

    [Fact]
    public void Jpeg_files_cannot_be_decompressed_and_say_why()
    {
        var ex = Assert.Throws<DicomPixelDataException>(() => DicomDecompressor.Decompress(DicomFile.Open(TestData.File("debian-python3-pydicom/test_files/JPEG2000.dcm"))));

        Assert.Contains("RLE Lossless only", ex.Message, StringComparison.Ordinal);
    }
}
