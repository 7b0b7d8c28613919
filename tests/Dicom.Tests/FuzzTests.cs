using System.Globalization;
using LiverFlow.Dicom.Imaging;
using LiverFlow.Dicom.IO;
using LiverFlow.Dicom.Json;

namespace LiverFlow.Dicom.Tests;

/// <summary>
/// Mutates real files (fixed seed) and requires every failure to be a <see cref="DicomException"/>: never an
/// IndexOutOfRange, NullReference, Overflow or OutOfMemory. LIVERFLOW_FUZZ_ITERATIONS=N runs a longer campaign,
/// LIVERFLOW_FUZZ_SEED=S a different one.
/// </summary>
public class FuzzTests
{
    private static readonly string[] Seeds =
    [
        "debian-python3-pydicom/test_files/MR_small.dcm",
        "debian-python3-pydicom/test_files/MR_small_implicit.dcm",
        "debian-python3-pydicom/test_files/MR_small_bigendian.dcm",
        "debian-python3-pydicom/test_files/MR_small_RLE.dcm",
        "debian-python3-pydicom/test_files/image_dfl.dcm",
        "debian-python3-pydicom/test_files/nested_priv_SQ.dcm",
        "debian-python3-pydicom/test_files/UN_sequence.dcm",
        "debian-python3-pydicom/test_files/test-SR.dcm",
        "debian-python3-pydicom/test_files/SC_rgb_rle_2frame.dcm",
        "debian-python3-pydicom/test_files/JPEG2000.dcm",
        "pydicom-data/liver_nonbyte_aligned.dcm",
        "fo-dicom/charset/chrX1.dcm",
        "fo-dicom/charset/chrH32.dcm",
    ];

    [Fact]
    public void Mutated_real_files_fail_only_with_dicom_exceptions()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("LIVERFLOW_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 3000;
        var originals = Seeds.Select(s => File.ReadAllBytes(TestData.File(s))).ToArray();
        var seed = int.TryParse(Environment.GetEnvironmentVariable("LIVERFLOW_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20260301;
        var random = new Random(seed);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < iterations; i++)
        {
            var seedIndex = random.Next(originals.Length);
            var mutated = Mutate(originals[seedIndex], random);
            try
            {
                Exercise(mutated);
                outcomes["accepted"] = outcomes.GetValueOrDefault("accepted") + 1;
            }
            catch (DicomException ex)
            {
                outcomes[ex.GetType().Name] = outcomes.GetValueOrDefault(ex.GetType().Name) + 1;
            }
            catch (Exception ex)
            {
                var path = Path.Combine(Path.GetTempPath(), $"liverflow-fuzz-{i}.dcm");
                File.WriteAllBytes(path, mutated);
                Assert.Fail($"Iteration {i} of seed {seed} (seed file {Seeds[seedIndex]}, input saved to {path}) threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        // Both paths must be exercised, or the mutations are too weak or too strong to test anything.
        Assert.True(outcomes.GetValueOrDefault("accepted") > iterations / 40, string.Join(", ", outcomes));
        Assert.True(outcomes.Where(o => o.Key != "accepted").Sum(o => o.Value) > iterations / 20, string.Join(", ", outcomes));
    }

    private static void Exercise(byte[] bytes)
    {
        var file = DicomFile.Open(bytes.AsMemory(), new DicomReadOptions { MaxDataLength = 64 << 20 });
        Touch(file.Dataset);
        if (file.Dataset.Contains(DicomTag.PixelData))
        {
            var pixels = DicomPixelData.Create(file.Dataset, new DicomPixelDataOptions { MaxTotalBytes = 64 << 20 });
            if (pixels.TransferSyntax.CanDecodePixelData)
            {
                pixels.GetFrame<long>(pixels.NumberOfFrames - 1);
            }
        }

        DicomJsonWriter.Serialize(file.Dataset);
        using var sink = new MemoryStream();
        file.Save(sink);
    }

    private static void Touch(DicomDataset dataset)
    {
        foreach (var item in dataset)
        {
            switch (item)
            {
                case DicomSequence sequence:
                    foreach (var child in sequence.Items)
                    {
                        Touch(child);
                    }

                    break;
                case DicomElement element when element.ValueRepresentation.IsString || element.ValueRepresentation == DicomVR.AT || element.Count < 64:
                    _ = element.GetString();
                    _ = element.Count;
                    break;
            }
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var data = (byte[])original.Clone();
        var mutations = 1 + random.Next(2);
        for (var m = 0; m < mutations && data.Length >= 8; m++)
        {
            switch (random.Next(6))
            {
                case 0:
                    // Flip a few bytes anywhere.
                    for (var k = random.Next(1, 8); k > 0; k--)
                    {
                        data[random.Next(data.Length)] = (byte)random.Next(256);
                    }

                    break;
                case 1:
                    // Plant a hostile 32-bit length (undefined, huge, or just past the end).
                    {
                        var at = random.Next(Math.Max(1, data.Length - 4));
                        uint[] hostile = [0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFFFE, (uint)data.Length, 0x00010000];
                        BitConverter.GetBytes(hostile[random.Next(hostile.Length)]).CopyTo(data, at);
                        break;
                    }

                case 2:
                    // Truncate.
                    Array.Resize(ref data, random.Next(1, data.Length));
                    break;
                case 3:
                    // Corrupt a 16-bit length or value near the header area where most elements live.
                    {
                        var at = random.Next(Math.Min(data.Length - 2, 2048));
                        BitConverter.GetBytes((ushort)random.Next(65536)).CopyTo(data, Math.Max(0, at));
                        break;
                    }

                case 4:
                    // Duplicate a slice (repeated items, shifted boundaries).
                    {
                        var start = random.Next(data.Length);
                        var length = Math.Min(random.Next(1, 64), data.Length - start);
                        var insert = random.Next(data.Length);
                        data = [.. data[..insert], .. data.AsSpan(start, length), .. data[insert..]];
                        break;
                    }

                default:
                    // Plant a delimiter or item tag where an element was expected.
                    {
                        var at = random.Next(Math.Max(1, data.Length - 4));
                        byte[][] tags = [[0xFE, 0xFF, 0x00, 0xE0], [0xFE, 0xFF, 0x0D, 0xE0], [0xFE, 0xFF, 0xDD, 0xE0]];
                        tags[random.Next(tags.Length)].CopyTo(data, at);
                        break;
                    }
            }
        }

        return data;
    }
}
