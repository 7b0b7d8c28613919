using System.Diagnostics;
using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Imaging;
using LiverFlow.Messaging;

namespace LiverFlow.Inference.Studies;

/// <summary>One lesion's model input, or why there is none (the lesion is then flagged, the others go on).</summary>
public sealed record LesionInput(int LesionNumber, LesionCrop? Crop, string? Problem, double PreprocessMs);

/// <summary>The three phases the model reads, on the study's grid, and the lesion label map (null: no lesion).</summary>
public sealed record StudyInputs(ImageVolume Arterial, ImageVolume PortalVenous, ImageVolume Delayed, IReadOnlyList<int> LesionNumbers, VolumeGeometry? LabelGrid, byte[]? Labels)
{
    /// <summary>Where Ingest puts the lesion list: <c>StudyIngested</c> v1 has no field for it, so it sits at a fixed key beside the volumes.</summary>
    public static string LesionManifestKey(Guid correlationId) => $"studies/{correlationId}/lesions.json";

    /// <summary>
    /// Reads the study by reference: each phase volume is checked against the SHA-256 in the message, the label
    /// map against the one in the lesion list. A message without the three phases can never succeed (poison).
    /// </summary>
    public static StudyInputs Read(StudyIngested message, SharedFileStore store)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(store);
        ImageVolume Phase(ContrastPhase phase)
        {
            var volume = message.Phases.FirstOrDefault(p => p.Phase == phase.ToString())
                ?? throw new PoisonMessageException($"StudyIngested {message.CorrelationId} has no {phase} volume; the model needs arterial, portal venous and delayed phases.");
            return NiftiReader.ReadVolume(store.ReadVerified(volume.Volume), volume.Volume.StorageKey);
        }

        var arterial = Phase(ContrastPhase.Arterial);
        var portalVenous = Phase(ContrastPhase.PortalVenous);
        var delayed = Phase(ContrastPhase.Delayed);

        using var manifest = JsonDocument.Parse(store.Read(LesionManifestKey(message.CorrelationId)));
        var root = manifest.RootElement;
        var numbers = root.GetProperty("lesions").EnumerateArray().Select(l => l.GetProperty("number").GetInt32()).ToList();
        if (numbers.Count == 0 || root.GetProperty("labelMap").ValueKind != JsonValueKind.String)
        {
            return new StudyInputs(arterial, portalVenous, delayed, numbers, null, null);
        }

        var key = root.GetProperty("labelMap").GetString()!;
        var sha = root.TryGetProperty("labelMapSha256", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var (grid, labels) = NiftiReader.ReadLabels(store.ReadVerified(key, sha), key);
        return new StudyInputs(arterial, portalVenous, delayed, numbers, grid, labels);
    }

    /// <summary>
    /// The model input of each lesion through the shared preprocessing (the code that exported the training set).
    /// A lesion whose crop cannot be made (empty mask, field beyond the volume's edge, a blank phase) gets its reason.
    /// </summary>
    public IReadOnlyList<LesionInput> MakeCrops(LesionPreprocessor preprocessor, IReadOnlySet<int>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        var inputs = new List<LesionInput>(LesionNumbers.Count);
        foreach (var number in LesionNumbers)
        {
            if (skip?.Contains(number) == true)
            {
                continue;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                var crop = preprocessor.Crop(Arterial, PortalVenous, Delayed, RegionOf(number));
                inputs.Add(new LesionInput(number, crop, null, clock.Elapsed.TotalMilliseconds));
            }
            catch (LesionCropException e)
            {
                inputs.Add(new LesionInput(number, null, e.Message, clock.Elapsed.TotalMilliseconds));
            }
        }

        return inputs;
    }

    private LesionRegion RegionOf(int number)
    {
        if (Labels is null || LabelGrid is null)
        {
            throw new LesionCropException($"Lesion {number} has no mask: the study has no label map.");
        }

        if (number is < 1 or > 255)
        {
            throw new LesionCropException($"Lesion {number} cannot be told apart in the 8-bit label map (lesions 1–255 only).");
        }

        var mask = new ImageVolume(LabelGrid);
        var found = false;
        for (var n = 0; n < Labels.Length; n++)
        {
            if (Labels[n] == number)
            {
                mask.Voxels[n] = 1;
                found = true;
            }
        }

        if (!found)
        {
            // Where lesions overlap the label map keeps the first: a lesion wholly inside another has no voxel left.
            throw new LesionCropException($"Lesion {number}'s mask is empty in the label map (no voxel carries its number).");
        }

        return LesionRegion.FromMask(mask);
    }
}
