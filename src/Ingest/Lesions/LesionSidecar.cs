using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Storage;

namespace LiverFlow.Ingest.Lesions;

/// <summary>A lesion box in patient coordinates (DICOM LPS, mm): opposite corners, any order.</summary>
public sealed record SidecarLesion(string? Label, Vector3d MinPatientMm, Vector3d MaxPatientMm);

/// <summary>
/// Lesion boxes for a site that has no DICOM SEG: a JSON file <c>*.lesions.json</c>, e.g.
/// <c>{"studyInstanceUid": "1.2.3", "lesions": [{"label": "segment 4a", "minPatientMm": [x, y, z], "maxPatientMm": [x, y, z]}]}</c>.
/// Used when the study holds no SEG.
/// </summary>
public sealed record LesionSidecar(string StudyInstanceUid, IReadOnlyList<SidecarLesion> Lesions)
{
    public static (LesionSidecar? Sidecar, string? Problem) Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return (null, $"not valid JSON: {ex.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("studyInstanceUid", out var uidElement) || uidElement.ValueKind != JsonValueKind.String)
            {
                return (null, "needs a string property 'studyInstanceUid'");
            }
            var uid = uidElement.GetString()!;
            try
            {
                StudyIdentity.ValidateStudyInstanceUid(uid);
            }
            catch (ArgumentException)
            {
                return (null, "'studyInstanceUid' is not a valid DICOM UID");
            }
            if (!root.TryGetProperty("lesions", out var lesions) || lesions.ValueKind != JsonValueKind.Array)
            {
                return (null, "needs an array property 'lesions' (empty when the study has none)");
            }
            var list = new List<SidecarLesion>();
            var n = 0;
            foreach (var lesion in lesions.EnumerateArray())
            {
                n++;
                var min = Point(lesion, "minPatientMm");
                var max = Point(lesion, "maxPatientMm");
                if (min is null || max is null)
                {
                    return (null, $"lesion {n} needs 'minPatientMm' and 'maxPatientMm' as three numbers each (patient coordinates, mm)");
                }
                var label = lesion.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
                list.Add(new SidecarLesion(label, min.Value, max.Value));
            }
            return (new LesionSidecar(uid, list), null);
        }
    }

    private static Vector3d? Point(JsonElement lesion, string name)
    {
        if (!lesion.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != 3)
        {
            return null;
        }
        var v = array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.NaN).ToArray();
        return v.All(double.IsFinite) ? new Vector3d(v[0], v[1], v[2]) : null;
    }
}

/// <summary>Keeps accepted sidecars in the file store under a key derived from the study (not the UID itself).</summary>
public sealed class LesionSidecarStore(FileStore store)
{
    public const string FileSuffix = ".lesions.json";

    public static string KeyFor(string studyInstanceUid) =>
        $"sidecars/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(studyInstanceUid)))}{FileSuffix}";

    /// <summary>Returns null when kept, or the problem.</summary>
    public async Task<string?> AcceptAsync(string path, CancellationToken cancellationToken)
    {
        var json = await File.ReadAllTextAsync(path, cancellationToken);
        var (sidecar, problem) = LesionSidecar.Parse(json);
        if (sidecar is null)
        {
            return problem;
        }
        var bytes = Encoding.UTF8.GetBytes(json);
        store.Write(KeyFor(sidecar.StudyInstanceUid), "application/json", s => s.Write(bytes));
        return null;
    }

    public LesionSidecar? Find(string studyInstanceUid)
    {
        var path = store.PathOf(KeyFor(studyInstanceUid));
        return File.Exists(path) ? LesionSidecar.Parse(File.ReadAllText(path)).Sidecar : null;
    }
}
