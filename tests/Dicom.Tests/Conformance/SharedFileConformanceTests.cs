using System.Text;
using System.Text.Json;

namespace LiverFlow.Dicom.Tests.Conformance;

/// <summary>
/// Every file under ../shared/data/dicom either parses, is rewritten by LiverFlow (Explicit VR LE, or its own
/// encapsulated syntax), and reads back with identical values per pydicom, or is rejected with the reason
/// listed in expected-rejections.tsv. A sample of the rewritten files must also pass dcmdump cleanly.
/// </summary>
public sealed class SharedFileConformanceTests : IDisposable
{
    private static readonly string[] NonDicomExtensions = [".psv", ".txt", ".md", ".json", ".nii", ".gz", ".dump"];

    private readonly string _outputFolder = Directory.CreateTempSubdirectory("liverflow-dicom-conformance-").FullName;

    public void Dispose() => Directory.Delete(_outputFolder, recursive: true);

    [Fact]
    public void Every_shared_file_round_trips_per_pydicom_or_is_rejected_for_its_documented_reason()
    {
        ExternalTools.RequirePydicom();
        var root = TestData.DicomFolder;
        var expected = LoadTable("expected-rejections.tsv").ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        var knownDifferences = LoadTable("known-pydicom-differences.tsv").Select(f => (f[0], f[1])).ToHashSet();
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(p => !NonDicomExtensions.Contains(Path.GetExtension(p), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count > 300, $"Expected the shared DICOM corpus (300+ files) under {root}, found {files.Count}.");

        var problems = new List<string>();
        var outcomes = new List<(string File, string Outcome)>();
        var pairs = new List<(string Original, string Rewritten, string Relative)>();
        for (var i = 0; i < files.Count; i++)
        {
            var relative = Path.GetRelativePath(root, files[i]).Replace('\\', '/');
            DicomFile file;
            try
            {
                file = DicomFile.Open(files[i]);
            }
            catch (DicomException ex)
            {
                if (expected.TryGetValue(relative, out var reason) && ex.Message.Contains(reason, StringComparison.Ordinal))
                {
                    outcomes.Add((relative, "rejected: " + reason));
                }
                else
                {
                    problems.Add($"{relative}: unexpected rejection: {ex.Message}");
                }

                continue;
            }

            if (expected.ContainsKey(relative))
            {
                problems.Add($"{relative}: listed in expected-rejections.tsv but parsed; remove the entry.");
                continue;
            }

            if (file.FileMetaInfo.MediaStorageSOPClassUID == DicomUID.MediaStorageDirectoryStorage.Value)
            {
                // A DICOMDIR's records point at byte offsets; LiverFlow reads it but refuses to re-encode it.
                var refusal = Assert.Throws<DicomFileException>(() => file.Save(Path.Combine(_outputFolder, "dicomdir")));
                Assert.Contains("does not write DICOMDIR", refusal.Message, StringComparison.Ordinal);
                outcomes.Add((relative, $"parsed ({file.FileMetaInfo.TransferSyntax.UID.Name}, {CountElements(file.Dataset)} elements); DICOMDIR is not rewritten (record offsets)"));
                continue;
            }

            var source = file.FileMetaInfo.TransferSyntax;
            var target = source.IsEncapsulated ? source : DicomTransferSyntax.ExplicitVRLittleEndian;
            var rewritten = Path.Combine(_outputFolder, $"{i:D4}.dcm");
            try
            {
                file.WithTransferSyntax(target).Save(rewritten);
                DicomFile.Open(rewritten);
            }
            catch (DicomException ex)
            {
                problems.Add($"{relative}: rewrite failed: {ex.Message}");
                continue;
            }

            pairs.Add((files[i], rewritten, relative));
            outcomes.Add((relative, $"round-trips ({source.UID.Name}{(file.Format == DicomFileFormat.Part10 ? string.Empty : ", " + file.Format)} → {target.UID.Name})"));
        }

        var dumps = DumpWithPydicom(pairs.SelectMany(p => new[] { p.Original, p.Rewritten }));
        foreach (var (original, rewritten, relative) in pairs)
        {
            var before = dumps[original];
            var after = dumps[rewritten];
            if (before.TryGetValue("__error__", out var error))
            {
                // pydicom fails on a few valid-but-unusual files; dcmtk is then the independent reader.
                var mismatch = CompareWithDcmdump(original, rewritten);
                if (mismatch is not null)
                {
                    problems.Add($"{relative}: pydicom cannot read the original ({error}); per dcmdump: {mismatch}");
                }
                else
                {
                    var index = outcomes.FindIndex(o => o.File == relative);
                    outcomes[index] = (relative, outcomes[index].Outcome + "; checked with dcmdump (pydicom 2.3 cannot read the original)");
                }

                continue;
            }

            if (after.TryGetValue("__error__", out var afterError))
            {
                problems.Add($"{relative}: pydicom cannot read LiverFlow's rewrite: {afterError}");
                continue;
            }

            var differences = before.Where(kv => !knownDifferences.Contains((relative, kv.Key)) && (!after.TryGetValue(kv.Key, out var v) || v != kv.Value))
                .Select(kv => $"{kv.Key}: '{Shorten(kv.Value)}' → '{Shorten(after.GetValueOrDefault(kv.Key) ?? "(missing)")}'")
                .Concat(after.Keys.Where(k => !before.ContainsKey(k) && k is not ("00020002" or "00020003") && !knownDifferences.Contains((relative, k))).Select(k => $"{k}: extra in rewrite"))
                .ToList();
            if (differences.Count > 0)
            {
                problems.Add($"{relative}: {differences.Count} value(s) differ per pydicom: {string.Join("; ", differences.Take(4))}");
            }
        }

        WriteOutcomeTable(outcomes);
        Assert.True(problems.Count == 0, $"{problems.Count} conformance problem(s):\n" + string.Join("\n", problems));

        DcmdumpReadsSampleCleanly(pairs.Select(p => p.Rewritten).Where((_, i) => i % 7 == 0).ToList());
    }

    private static void DcmdumpReadsSampleCleanly(IReadOnlyList<string> sample)
    {
        var dcmdump = ExternalTools.RequireDcmdump();
        Assert.NotEmpty(sample);
        var (code, stdout, stderr) = ExternalTools.Run(dcmdump, ["-q", .. sample]);
        var errors = (stdout + "\n" + stderr).Split('\n').Where(l => l.StartsWith("E:", StringComparison.Ordinal)).ToList();
        Assert.True(code == 0 && errors.Count == 0, $"dcmdump exit {code} on LiverFlow-written files: {string.Join("\n", errors.Take(10))}");
    }

    private static int CountElements(DicomDataset dataset) =>
        dataset.Sum(item => 1 + (item is DicomSequence sq ? sq.Items.Sum(CountElements) : 0));

    /// <summary>Compares dcmdump's element lines (tag, VR, value) of two files, ignoring lengths, delimiters and File Meta.</summary>
    private static string? CompareWithDcmdump(string original, string rewritten)
    {
        var dcmdump = ExternalTools.RequireDcmdump();
        List<string> Lines(string path)
        {
            var (code, stdout, stderr) = ExternalTools.Run(dcmdump, ["-q", "+L", path]);
            if (code != 0)
            {
                throw new InvalidOperationException($"dcmdump failed on {path}: {stderr}");
            }

            return stdout.Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.StartsWith('(') && !l.StartsWith("(fffe,", StringComparison.Ordinal) && !l.StartsWith("(0002,", StringComparison.Ordinal))
                .Where(l => !l[6..10].Equals("0000", StringComparison.Ordinal))
                .Select(l => l.Contains(" #", StringComparison.Ordinal) ? l[..l.LastIndexOf(" #", StringComparison.Ordinal)].TrimEnd() : l)
                .ToList();
        }

        var before = Lines(original);
        var after = Lines(rewritten);
        var firstDifference = Enumerable.Range(0, Math.Min(before.Count, after.Count)).FirstOrDefault(i => before[i] != after[i], -1);
        if (firstDifference >= 0)
        {
            return $"line {firstDifference}: '{before[firstDifference]}' → '{after[firstDifference]}'";
        }

        return before.Count == after.Count ? null : $"{before.Count} element lines before, {after.Count} after";
    }

    private static Dictionary<string, Dictionary<string, string>> DumpWithPydicom(IEnumerable<string> paths)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Conformance", "pydicom_dump.py");
        var (code, stdout, stderr) = ExternalTools.Run(ExternalTools.DebianPython, [script], JsonSerializer.Serialize(paths.ToList()), TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"pydicom_dump.py failed ({code}): {stderr}");
        return JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(stdout)!;
    }

    private static List<string[]> LoadTable(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", name);
        return File.ReadAllLines(path)
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split('\t'))
            .ToList();
    }

    /// <summary>With LIVERFLOW_CONFORMANCE_TABLE=path the per-file outcomes are written for docs/dicom-conformance.md.</summary>
    private static void WriteOutcomeTable(List<(string File, string Outcome)> outcomes)
    {
        var target = Environment.GetEnvironmentVariable("LIVERFLOW_CONFORMANCE_TABLE");
        if (string.IsNullOrEmpty(target))
        {
            return;
        }

        var text = new StringBuilder("| file | outcome |\n| --- | --- |\n");
        foreach (var (file, outcome) in outcomes)
        {
            text.Append("| `").Append(file).Append("` | ").Append(outcome).Append(" |\n");
        }

        File.WriteAllText(target, text.ToString());
    }

    private static string Shorten(string value) => value.Length > 60 ? value[..60] + "…" : value;
}
