using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Imaging;
using LiverFlow.Inference.Studies;
using LiverFlow.Ingest.Storage;

namespace LiverFlow.Inference.Tests.Support;

/// <summary>
/// A study laid out in a file store exactly as Ingest lays it out (NIfTI volumes through Ingest's own writer,
/// lesions.json, the uint8 label map), with spherical lesions of known place, for reading tests.
/// </summary>
internal sealed class SyntheticStudy
{
    public static readonly VolumeGeometry Grid = new(64, 64, 24, new Vector3d(-48, -60, 20), new Vector3d(1, 0, 0), new Vector3d(0, 1, 0), new Vector3d(0, 0, 1), 1.5, 1.5, 4);

    public SyntheticStudy(string root, params (int I, int J, int K, double RadiusVoxels)[] lesions)
        : this(root, lesions, [])
    {
    }

    /// <param name="listedWithoutMask">Lesion numbers listed in lesions.json that have no voxel in the label map.</param>
    public SyntheticStudy(string root, (int I, int J, int K, double RadiusVoxels)[] lesions, int[] listedWithoutMask)
    {
        Store = new SharedFileStore(root);
        CorrelationId = Guid.NewGuid();
        var labels = new byte[Grid.VoxelCount];
        Phases = new Dictionary<ContrastPhase, ImageVolume>();
        float[] lesionContrast = [80f, -30f, -50f];
        var phaseIndex = 0;
        foreach (var phase in LesionCrop.ChannelPhases)
        {
            var volume = new ImageVolume(Grid);
            for (var k = 0; k < Grid.Slices; k++)
            {
                for (var j = 0; j < Grid.Rows; j++)
                {
                    for (var i = 0; i < Grid.Columns; i++)
                    {
                        var value = 100f + 0.5f * i + 0.3f * j + 2f * k + 10f * phaseIndex;
                        for (var n = 0; n < lesions.Length; n++)
                        {
                            var (li, lj, lk, r) = lesions[n];
                            // Slices are 4 mm, pixels 1.5 mm: the sphere is round in millimetres.
                            var d2 = Math.Pow(i - li, 2) + Math.Pow(j - lj, 2) + Math.Pow((k - lk) * 4 / 1.5, 2);
                            if (d2 <= r * r)
                            {
                                value += lesionContrast[phaseIndex];
                                if (phaseIndex == 0 && labels[Grid.Index(i, j, k)] == 0)
                                {
                                    labels[Grid.Index(i, j, k)] = (byte)(n + 1);
                                }
                            }
                        }

                        volume[i, j, k] = value;
                    }
                }
            }

            Phases[phase] = volume;
            phaseIndex++;
        }

        Labels = labels;
        var prefix = $"studies/{CorrelationId}";
        var refs = Phases.Select(p => new PhaseVolume(p.Key.ToString(), Write($"{prefix}/{p.Key}.nii", s => NiftiWriter.Write(s, p.Value)))).ToList();
        var labelRef = Write($"{prefix}/lesion-labels.nii", s => NiftiWriter.WriteLabels(s, Grid, labels));
        var numbers = Enumerable.Range(1, lesions.Length).Concat(listedWithoutMask).ToList();
        Store.Write(StudyInputs.LesionManifestKey(CorrelationId), "application/json", JsonSerializer.SerializeToUtf8Bytes(new
        {
            labelMap = labelRef.StorageKey,
            labelMapSha256 = labelRef.Sha256,
            lesions = numbers.Select(n => new { number = n, source = "SEG" }),
        }));
        Message = new StudyIngested(CorrelationId, refs, DateTimeOffset.UtcNow);
    }

    public SharedFileStore Store { get; }

    public Guid CorrelationId { get; }

    public Dictionary<ContrastPhase, ImageVolume> Phases { get; }

    public byte[] Labels { get; }

    public StudyIngested Message { get; }

    /// <summary>The crop the shared preprocessing makes from the original (in-memory) volumes.</summary>
    public LesionCrop ExpectedCrop(int lesionNumber)
    {
        var mask = new ImageVolume(Grid, Labels.Select(l => l == lesionNumber ? 1f : 0f).ToArray());
        return new LesionPreprocessor().Crop(Phases[ContrastPhase.Arterial], Phases[ContrastPhase.PortalVenous], Phases[ContrastPhase.Delayed], LesionRegion.FromMask(mask));
    }

    private StoredObjectRef Write(string key, Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        return Store.Write(key, NiftiWriter.MediaType, buffer.ToArray());
    }
}
