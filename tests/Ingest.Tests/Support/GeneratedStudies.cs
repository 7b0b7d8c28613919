using System.Text.Json;

namespace LiverFlow.Ingest.Tests.Support;

/// <summary>Ground truth written beside a generated study (tools/make_study.py).</summary>
public sealed record StudyTruth(string Folder, string StudyInstanceUid, string Vendor, IReadOnlyList<LesionTruth> Lesions,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>?> Series)
{
    public static StudyTruth Load(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "truth.json")));
        var root = doc.RootElement;
        var lesions = root.GetProperty("lesions").EnumerateArray().Select(l => new LesionTruth(
            l.GetProperty("label").GetString()!,
            l.GetProperty("centreLps").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            l.GetProperty("diameterMm").GetDouble(),
            l.GetProperty("volumeMm3").GetDouble())).ToList();
        var series = new Dictionary<string, IReadOnlyDictionary<string, string>?>();
        foreach (var s in root.GetProperty("series").EnumerateObject())
        {
            series[s.Name] = s.Value.ValueKind == JsonValueKind.Null
                ? null
                : s.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        }
        return new StudyTruth(folder, root.GetProperty("studyInstanceUid").GetString()!, root.GetProperty("vendor").GetString()!, lesions, series);
    }

    /// <summary>The phase expected for a series (and temporal position, "None" when the series has one phase).</summary>
    public string? ExpectedPhase(string seriesUid, int? temporalPosition) =>
        Series.TryGetValue(seriesUid, out var phases) && phases is not null
            && phases.TryGetValue(temporalPosition?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None", out var phase) ? phase : null;
}

public sealed record LesionTruth(string Label, double[] CentreLps, double DiameterMm, double VolumeMm3);

/// <summary>Generates the synthetic studies once per test run (pydicom, ~1 s each).</summary>
public sealed class GeneratedStudies : IAsyncLifetime
{
    private readonly Dictionary<string, Task<StudyTruth>> _studies = new();
    private readonly string _root = TestPaths.NewTempDirectory("studies");
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task<StudyTruth> GetAsync(string vendor, string variant = "normal", int seed = 11, bool fractional = false)
    {
        var name = $"{vendor}-{variant}-{seed}{(fractional ? "-frac" : "")}";
        Task<StudyTruth> task;
        await _lock.WaitAsync();
        try
        {
            if (!_studies.TryGetValue(name, out task!))
            {
                var folder = Path.Combine(_root, name);
                task = Generate(folder, vendor, variant, seed, fractional);
                _studies[name] = task;
            }
        }
        finally
        {
            _lock.Release();
        }
        return await task;
    }

    private static async Task<StudyTruth> Generate(string folder, string vendor, string variant, int seed, bool fractional)
    {
        string[] args = ["--out", folder, "--vendor", vendor, "--variant", variant, "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        await ExternalTools.PythonAsync(Path.Combine(TestPaths.Tools, "make_study.py"), fractional ? [.. args, "--fractional"] : args);
        return StudyTruth.Load(folder);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        _lock.Dispose();
        return Task.CompletedTask;
    }
}
