using System.Security.Cryptography;
using LiverFlow.Imaging;

namespace LiverFlow.Models;

/// <summary>
/// A model folder (<c>models/&lt;id&gt;/</c>: <c>model.onnx</c>, <c>model-card.json</c>, <c>MODEL_CARD.md</c>)
/// verified against what this build of LiverFlow feeds a model: the file's SHA-256, the preprocessing id and
/// version, and the input tensor. A package that does not match is refused, never run.
/// </summary>
public sealed class ModelPackage
{
    public const string CardFileName = "model-card.json";

    private ModelPackage(string directory, ModelCard card, string modelPath)
    {
        Directory = directory;
        Card = card;
        ModelPath = modelPath;
    }

    public string Directory { get; }

    public ModelCard Card { get; }

    public string ModelPath { get; }

    public static ModelPackage Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var cardPath = Path.Combine(directory, CardFileName);
        if (!File.Exists(cardPath))
        {
            throw new ModelPackageException($"No {CardFileName} in model folder '{directory}'.");
        }

        var card = ModelCard.Parse(File.ReadAllText(cardPath), cardPath);
        if (card.ModelFile.Contains('/', StringComparison.Ordinal) || card.ModelFile.Contains('\\', StringComparison.Ordinal) || card.ModelFile.Contains("..", StringComparison.Ordinal))
        {
            throw new ModelPackageException($"{cardPath}: file.name '{card.ModelFile}' must be a plain file name inside the model folder.");
        }

        var modelPath = Path.Combine(directory, card.ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new ModelPackageException($"Model '{card.Id}': {card.ModelFile} is missing from '{directory}'.");
        }

        var actual = Sha256Of(modelPath);
        if (!string.Equals(actual, card.Sha256, StringComparison.Ordinal))
        {
            throw new ModelPackageException(
                $"Model '{card.Id}' refused: SHA-256 of {card.ModelFile} is {actual} but its model card says {card.Sha256}. The file was changed or replaced.");
        }

        VerifySpec(card);
        return new ModelPackage(directory, card, modelPath);
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The card must promise exactly the input the shared preprocessing makes.</summary>
    public static void VerifySpec(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (card.PreprocessingId != LesionPreprocessor.PreprocessingId || card.PreprocessingVersion != LesionPreprocessor.PreprocessingVersion)
        {
            throw new ModelPackageException(
                $"Model '{card.Id}' refused: it was trained with preprocessing {card.PreprocessingId} {card.PreprocessingVersion}, this build makes {LesionPreprocessor.PreprocessingId} {LesionPreprocessor.PreprocessingVersion}.");
        }

        int[] expected = [-1, .. LesionCrop.Shape];
        if (!card.Input.Shape.SequenceEqual(expected) || card.Input.ElementType != "float32")
        {
            throw new ModelPackageException(
                $"Model '{card.Id}' refused: input {card.Input.Name} is {card.Input.ElementType}[{string.Join(", ", card.Input.Shape)}], the preprocessing makes float32[{string.Join(", ", expected)}].");
        }

        var channels = LesionCrop.ChannelPhases.Select(p => p.ToString()).ToList();
        if (!card.InputChannels.SequenceEqual(channels))
        {
            throw new ModelPackageException(
                $"Model '{card.Id}' refused: input channels are [{string.Join(", ", card.InputChannels)}], the preprocessing makes [{string.Join(", ", channels)}].");
        }

        var probabilities = card.Outputs.FirstOrDefault(o => o.Name == ModelCard.ProbabilitiesOutput)
            ?? throw new ModelPackageException($"Model '{card.Id}' refused: no '{ModelCard.ProbabilitiesOutput}' output.");
        if (probabilities.Shape.Count != 2 || probabilities.Shape[1] != card.Classes.Count)
        {
            throw new ModelPackageException(
                $"Model '{card.Id}' refused: {ModelCard.ProbabilitiesOutput} has shape [{string.Join(", ", probabilities.Shape)}] but the card lists {card.Classes.Count} classes.");
        }

        if (card.Outputs.FirstOrDefault(o => o.Name == ModelCard.DenseActivationsOutput) is not { Shape.Count: 2 })
        {
            throw new ModelPackageException($"Model '{card.Id}' refused: no 2-D '{ModelCard.DenseActivationsOutput}' output, which interpretation needs.");
        }
    }
}
