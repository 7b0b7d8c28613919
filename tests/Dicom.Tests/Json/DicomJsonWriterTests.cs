using System.Text.Json;
using System.Text.Json.Nodes;
using LiverFlow.Dicom.Json;

namespace LiverFlow.Dicom.Tests.Json;

public class DicomJsonWriterTests
{
    private static readonly string[] ComparedFiles =
    [
        "debian-python3-pydicom/test_files/MR_small.dcm",
        "debian-python3-pydicom/test_files/CT_small.dcm",
        "debian-python3-pydicom/test_files/test-SR.dcm",
        "debian-python3-pydicom/test_files/rtplan.dcm",
        "fo-dicom/charset/chrGerm.dcm",
        "fo-dicom/charset/chrX1.dcm",
        "dcmqi/sr-example/sr.dcm",
        "highdicom/seg_image_ct_binary.dcm",
    ];

    public static TheoryData<string> PydicomComparedFiles() => new(ComparedFiles);

    private static readonly Lazy<Dictionary<string, JsonObject>> PydicomJson = new(() =>
    {
        ExternalTools.RequirePydicom();
        var script = Path.Combine(AppContext.BaseDirectory, "Json", "pydicom_json.py");
        var (code, stdout, stderr) = ExternalTools.Run(ExternalTools.DebianPython, [script], JsonSerializer.Serialize(ComparedFiles.Select(TestData.File).ToList()));
        Assert.True(code == 0, $"pydicom_json.py failed: {stderr}");
        return JsonNode.Parse(stdout)!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.AsObject());
    });

    [Theory]
    [MemberData(nameof(PydicomComparedFiles))]
    public void Metadata_json_matches_pydicom(string relative)
    {
        var path = TestData.File(relative);
        var ours = JsonNode.Parse(DicomJsonWriter.Serialize(DicomFile.Open(path).Dataset, new DicomJsonOptions { InlineBinaryMaxBytes = int.MaxValue }))!;
        var theirs = PydicomJson.Value[path];
        Assert.True(theirs.Count > 10, $"pydicom produced only {theirs.Count} attributes for {relative}");

        var difference = Compare(Normalize(theirs), Normalize(ours), "$");
        Assert.True(difference is null, $"{relative}: {difference}");
    }

    [Fact]
    public void Person_names_numbers_tags_and_sequences_use_the_annex_f_shapes()
    {
        var item = new DicomDataset().Add(DicomTag.CodeValue, "T-62000");
        var dataset = new DicomDataset()
            .Add(DicomTag.SpecificCharacterSet, "ISO_IR 192")
            .Add(DicomTag.PatientName, "Yamada^Tarou=山田^太郎=やまだ^たろう")
            .Add(DicomTag.SeriesNumber, "7")
            .Add(DicomTag.PixelSpacing, "0.75", "0.8")
            .Add(DicomTag.Rows, (ushort)256)
            .Add(DicomTag.FrameIncrementPointer, DicomTag.FrameTime)
            .Add(new DicomSequence(DicomTag.AnatomicRegionSequence, item))
            .Add(DicomTag.PixelData, DicomVR.OW, new byte[4096])
            .Add(DicomTag.EncapsulatedDocument, DicomVR.OB, new byte[] { 1, 2, 3, 4 });

        var json = JsonNode.Parse(DicomJsonWriter.Serialize(dataset, new DicomJsonOptions { BulkDataUri = i => $"bulk/{i.Tag.Group:X4}{i.Tag.Element:X4}" }))!;

        Assert.Equal("山田^太郎", (string)json["00100010"]!["Value"]![0]!["Ideographic"]!);
        Assert.Equal("Yamada^Tarou", (string)json["00100010"]!["Value"]![0]!["Alphabetic"]!);
        Assert.Equal(7, (int)json["00200011"]!["Value"]![0]!);
        Assert.Equal(0.8, (double)json["00280030"]!["Value"]![1]!);
        Assert.Equal(256, (int)json["00280010"]!["Value"]![0]!);
        Assert.Equal("00181063", (string)json["00280009"]!["Value"]![0]!);
        Assert.Equal("T-62000", (string)json["00082218"]!["Value"]![0]!["00080100"]!["Value"]![0]!);
        Assert.Equal("bulk/7FE00010", (string)json["7FE00010"]!["BulkDataURI"]!);
        Assert.Equal("AQIDBA==", (string)json["00420011"]!["InlineBinary"]!);
    }

    [Fact]
    public void Bulk_data_without_a_uri_provider_keeps_only_the_vr()
    {
        var dataset = new DicomDataset().Add(DicomTag.PixelData, DicomVR.OW, new byte[4096]);

        var json = JsonNode.Parse(DicomJsonWriter.Serialize(dataset))!;

        Assert.Equal("""{"vr":"OW"}""", json["7FE00010"]!.ToJsonString());
    }

    [Fact]
    public void A_decimal_string_that_is_not_a_number_is_a_clear_error()
    {
        var dataset = new DicomDataset().Add(DicomTag.SliceThickness, "abc");

        var ex = Assert.Throws<DicomDataException>(() => DicomJsonWriter.Serialize(dataset));
        Assert.Contains("SliceThickness", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Drops group lengths and empty Value arrays, which PS3.18 lets writers omit.</summary>
    private static JsonNode Normalize(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            var copy = new JsonObject();
            foreach (var (key, value) in obj)
            {
                if (key.Length == 8 && key.EndsWith("0000", StringComparison.Ordinal))
                {
                    continue;
                }

                if (key == "Value" && value is JsonArray { Count: 0 })
                {
                    continue;
                }

                copy[key] = value is null ? null : Normalize(value);
            }

            return copy;
        }

        if (node is JsonArray array)
        {
            return new JsonArray(array.Select(v => v is null ? null : Normalize(v)).ToArray());
        }

        return node.DeepClone();
    }

    private static string? Compare(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject e when actual is JsonObject a:
                foreach (var key in e.Select(kv => kv.Key).Union(a.Select(kv => kv.Key)))
                {
                    if (!e.ContainsKey(key) || !a.ContainsKey(key))
                    {
                        return $"{path}.{key}: present only in {(e.ContainsKey(key) ? "pydicom" : "LiverFlow")}";
                    }

                    var diff = Compare(e[key], a[key], $"{path}.{key}");
                    if (diff is not null)
                    {
                        return diff;
                    }
                }

                return null;
            case JsonArray e when actual is JsonArray a:
                if (e.Count != a.Count)
                {
                    return $"{path}: {e.Count} values in pydicom, {a.Count} in LiverFlow";
                }

                for (var i = 0; i < e.Count; i++)
                {
                    var diff = Compare(e[i], a[i], $"{path}[{i}]");
                    if (diff is not null)
                    {
                        return diff;
                    }
                }

                return null;
            case JsonValue e when actual is JsonValue a:
                if (e.TryGetValue<double>(out var x) && a.TryGetValue<double>(out var y))
                {
                    return Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(x)) ? null : $"{path}: {x} vs {y}";
                }

                return e.ToJsonString() == a.ToJsonString() ? null : $"{path}: pydicom {e.ToJsonString()} vs LiverFlow {a.ToJsonString()}";
            case null:
                return actual is null ? null : $"{path}: null in pydicom, {actual.ToJsonString()} in LiverFlow";
            default:
                return $"{path}: pydicom {expected.ToJsonString()} vs LiverFlow {actual?.ToJsonString() ?? "null"}";
        }
    }
}
