using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiverFlow.Models;

/// <summary>The tensor a model reads or writes, as its card declares it (−1 = dynamic batch axis).</summary>
public sealed record TensorSpec(string Name, IReadOnlyList<int> Shape, string ElementType);

/// <summary>
/// The machine-readable part of a model package (<c>model-card.json</c>): identity, classes in output
/// order, input and output tensors, the preprocessing it was trained with, and the ONNX file's SHA-256.
/// </summary>
public sealed record ModelCard(
    string Id,
    string Version,
    IReadOnlyList<string> Classes,
    TensorSpec Input,
    IReadOnlyList<string> InputChannels,
    IReadOnlyList<TensorSpec> Outputs,
    string PreprocessingId,
    string PreprocessingVersion,
    string ModelFile,
    string Sha256,
    bool DemonstrationOnly,
    JsonObject Raw)
{
    public const string Format = "liverflow-model-card/1";

    public const string ProbabilitiesOutput = "class_probabilities";

    public const string DenseActivationsOutput = "dense_activations";

    public static ModelCard Parse(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json)?.AsObject() ?? throw new ModelPackageException($"{source} is empty.");
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"{source} is not valid JSON: {e.Message}", e);
        }

        var format = Str(root, "format", source);
        if (format != Format)
        {
            throw new ModelPackageException($"{source} has format '{format}', expected '{Format}'.");
        }

        var input = root["input"]?.AsObject() ?? throw Missing("input", source);
        var preprocessing = root["preprocessing"]?.AsObject() ?? throw Missing("preprocessing", source);
        var file = root["file"]?.AsObject() ?? throw Missing("file", source);
        var outputs = root["outputs"]?.AsArray() ?? throw Missing("outputs", source);
        var sha = Str(file, "sha256", source).ToLowerInvariant();
        if (sha.Length != 64 || !sha.All(Uri.IsHexDigit))
        {
            throw new ModelPackageException($"{source}: file.sha256 must be 64 hexadecimal digits, got '{sha}'.");
        }

        return new ModelCard(
            Str(root, "id", source),
            Str(root, "version", source),
            Strings(root, "classes", source),
            Tensor(input, source),
            Strings(input, "channels", source),
            outputs.Select(o => Tensor(o?.AsObject() ?? throw Missing("outputs[]", source), source)).ToList(),
            Str(preprocessing, "id", source),
            Str(preprocessing, "version", source),
            Str(file, "name", source),
            sha,
            root["demonstration_only"]?.GetValue<bool>() ?? false,
            root);
    }

    private static TensorSpec Tensor(JsonObject o, string source) =>
        new(Str(o, "name", source), (o["shape"]?.AsArray() ?? throw Missing("shape", source)).Select(v => v!.GetValue<int>()).ToList(), Str(o, "dtype", source));

    private static string Str(JsonObject o, string name, string source) =>
        o[name]?.GetValue<string>() is { Length: > 0 } s ? s : throw Missing(name, source);

    private static List<string> Strings(JsonObject o, string name, string source) =>
        (o[name]?.AsArray() ?? throw Missing(name, source)).Select(v => v?.GetValue<string>() ?? throw Missing(name, source)).ToList();

    private static ModelPackageException Missing(string name, string source) => new($"{source} lacks '{name}'.");
}
