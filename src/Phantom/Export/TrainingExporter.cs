using System.Text.Json;
using System.Text.Json.Nodes;
using LiverFlow.Imaging;
using LiverFlow.Phantom.Generation;
using Microsoft.Win32.SafeHandles;

namespace LiverFlow.Phantom.Export;

/// <summary>
/// Writes a class-balanced lesion set: <c>crops.npy</c> (float32, C order, N×3×24×24×12, channels
/// arterial/portal venous/delayed) and <c>index.json</c> (one entry per row: class, features, size, seed).
/// Lesion n has class n mod 6 and study seed <c>baseSeed + n</c>.
/// </summary>
public static class TrainingExporter
{
    public static void Export(string outputDirectory, int lesionCount, int baseSeed, IProgress<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lesionCount, 1);
        Directory.CreateDirectory(outputDirectory);
        var cropsPath = Path.Combine(outputDirectory, "crops.npy");
        var shape = new[] { lesionCount, LesionCrop.Channels, LesionCrop.SizeX, LesionCrop.SizeY, LesionCrop.SizeZ };

        long headerLength;
        using (var file = File.Create(cropsPath))
        {
            headerLength = NpyWriter.WriteHeader(file, shape);
            file.SetLength(headerLength + (long)lesionCount * LesionCrop.Length * 4);
        }

        var entries = new JsonObject?[lesionCount];
        var done = 0;
        using (SafeFileHandle handle = File.OpenHandle(cropsPath, FileMode.Open, FileAccess.Write))
        {
            Parallel.For(0, lesionCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, n =>
            {
                var lesionClass = (LesionClass)(n % LesionClasses.All.Count);
                var sample = MakeWithRetries(baseSeed + n, lesionClass);
                var bytes = new byte[LesionCrop.Length * 4];
                Buffer.BlockCopy(sample.Crop.Data, 0, bytes, 0, bytes.Length);
                if (!BitConverter.IsLittleEndian)
                {
                    throw new PlatformNotSupportedException(".npy export assumes a little-endian machine.");
                }

                RandomAccess.Write(handle, bytes, headerLength + (long)n * bytes.Length);
                entries[n] = IndexEntry(n, sample);
                progress?.Report(Interlocked.Increment(ref done));
            });
        }

        var index = new JsonObject
        {
            ["format"] = "liverflow-training-index/1",
            ["preprocessing"] = new JsonObject { ["id"] = LesionPreprocessor.PreprocessingId, ["version"] = LesionPreprocessor.PreprocessingVersion },
            ["crops"] = "crops.npy",
            ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
            ["channels"] = new JsonArray(LesionCrop.ChannelPhases.Select(p => (JsonNode)p.ToString()).ToArray()),
            ["classes"] = new JsonArray(LesionClasses.All.Select(c => (JsonNode)c.Code()).ToArray()),
            ["base_seed"] = baseSeed,
            ["count"] = lesionCount,
            ["lesions"] = new JsonArray(entries.Select(e => (JsonNode?)e).ToArray()),
        };
        File.WriteAllText(Path.Combine(outputDirectory, "index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static TrainingSample MakeWithRetries(int seed, LesionClass lesionClass)
    {
        // A rare draw cannot be cropped (e.g. a tiny lesion between thick slices leaves an empty mask);
        // the replacement seed is derived, so the export stays deterministic.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                return TrainingSampleFactory.Make(attempt == 0 ? seed : unchecked(seed * 31 + attempt * 7919), lesionClass);
            }
            catch (LesionCropException) when (attempt < 4)
            {
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    private static JsonObject IndexEntry(int row, TrainingSample sample)
    {
        var lesion = sample.Lesion;
        return new JsonObject
        {
            ["row"] = row,
            ["study_seed"] = sample.StudySeed,
            ["class"] = lesion.Class.Code(),
            ["class_index"] = (int)lesion.Class,
            ["features"] = new JsonArray(lesion.Features.Select(f => (JsonNode)f.Code()).ToArray()),
            ["longest_diameter_mm"] = Math.Round(sample.LongestDiameterMm, 2),
            ["vendor"] = sample.Study.Vendor.ToString(),
            ["pixel_spacing_mm"] = Math.Round(sample.Study.SeriesFor(ContrastPhase.Arterial).Grid.ColumnSpacing, 3),
            ["slice_spacing_mm"] = Math.Round(sample.Study.SeriesFor(ContrastPhase.Arterial).Grid.SliceSpacing, 3),
            ["field_spacing_mm"] = new JsonArray(Math.Round(sample.Crop.Spacing.X, 3), Math.Round(sample.Crop.Spacing.Y, 3), Math.Round(sample.Crop.Spacing.Z, 3)),
        };
    }
}
