using LiverFlow.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LiverFlow.Models;

/// <summary>
/// Runs a verified model package with ONNX Runtime (CPU execution provider; GPU selection belongs to the
/// Inference worker). On load the ONNX graph's own input and outputs are checked against the card, so a
/// model file that was swapped along with its hash still cannot be fed the wrong tensor.
/// </summary>
public sealed class LesionClassifier : IDisposable
{
    private readonly InferenceSession session;
    private readonly string inputName;
    private readonly int denseWidth;

    public LesionClassifier(ModelPackage package, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(package);
        Package = package;
        var ownsOptions = options is null;
        options ??= new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            session = new InferenceSession(package.ModelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPackageException($"Model '{package.Card.Id}': ONNX Runtime cannot load {package.Card.ModelFile}: {e.Message}", e);
        }
        finally
        {
            if (ownsOptions)
            {
                options.Dispose();
            }
        }

        var card = package.Card;
        inputName = card.Input.Name;
        if (!session.InputMetadata.TryGetValue(inputName, out var input))
        {
            session.Dispose();
            throw new ModelPackageException($"Model '{card.Id}' refused: the ONNX graph has no input '{inputName}' (it has {string.Join(", ", session.InputMetadata.Keys)}).");
        }

        CheckDimensions(card.Id, inputName, input.Dimensions, card.Input.Shape);
        foreach (var output in card.Outputs)
        {
            if (!session.OutputMetadata.TryGetValue(output.Name, out var meta))
            {
                session.Dispose();
                throw new ModelPackageException($"Model '{card.Id}' refused: the ONNX graph has no output '{output.Name}'.");
            }

            CheckDimensions(card.Id, output.Name, meta.Dimensions, output.Shape);
        }

        denseWidth = card.Outputs.First(o => o.Name == ModelCard.DenseActivationsOutput).Shape[1];
    }

    public ModelPackage Package { get; }

    public IReadOnlyList<LesionPrediction> Classify(IReadOnlyList<LesionCrop> crops)
    {
        ArgumentNullException.ThrowIfNull(crops);
        var batch = new float[crops.Count * LesionCrop.Length];
        for (var n = 0; n < crops.Count; n++)
        {
            crops[n].Data.CopyTo(batch, n * LesionCrop.Length);
        }

        return Classify(batch, crops.Count);
    }

    /// <summary>Classifies a batch already laid out as N×3×24×24×12 float32 (C order).</summary>
    public IReadOnlyList<LesionPrediction> Classify(float[] batch, int count)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (count < 1 || batch.Length != count * LesionCrop.Length)
        {
            throw new ArgumentException($"Expected {count}×{LesionCrop.Length} values for a batch of {count}, got {batch.Length}.", nameof(batch));
        }

        var (probabilities, dense) = Run(batch, count);
        var classes = Package.Card.Classes;
        var results = new LesionPrediction[count];
        for (var n = 0; n < count; n++)
        {
            results[n] = new LesionPrediction(classes, probabilities.AsSpan(n * classes.Count, classes.Count).ToArray(), dense.AsSpan(n * denseWidth, denseWidth).ToArray());
        }

        return results;
    }

    /// <summary>Raw outputs for a batch: probabilities (N×classes) and dense activations (N×width), row-major.</summary>
    public (float[] Probabilities, float[] DenseActivations) Run(float[] batch, int count)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var tensor = new DenseTensor<float>(batch, [count, LesionCrop.Channels, LesionCrop.SizeX, LesionCrop.SizeY, LesionCrop.SizeZ]);
        using var results = session.Run(
            [NamedOnnxValue.CreateFromTensor(inputName, tensor)],
            [ModelCard.ProbabilitiesOutput, ModelCard.DenseActivationsOutput]);
        float[]? probabilities = null, dense = null;
        foreach (var r in results)
        {
            var values = r.AsTensor<float>().ToArray();
            if (r.Name == ModelCard.ProbabilitiesOutput)
            {
                probabilities = values;
            }
            else
            {
                dense = values;
            }
        }

        return (probabilities!, dense!);
    }

    /// <summary>Width of the dense-activations output (100 for the Hamm et al. architecture).</summary>
    public int DenseWidth => denseWidth;

    /// <summary>
    /// Runs a batch into caller-owned buffers: the input is read from <paramref name="batch"/> and the outputs are
    /// written straight into <paramref name="probabilities"/> (N×classes) and <paramref name="dense"/> (N×width),
    /// with no managed allocation per call. The buffers are pinned only for the call; a server that keeps them
    /// for its largest batch runs every batch without garbage.
    /// </summary>
    public void RunInto(Memory<float> batch, int count, Memory<float> probabilities, Memory<float> dense, RunOptions? runOptions = null)
    {
        var classes = Package.Card.Classes.Count;
        if (count < 1 || batch.Length < count * LesionCrop.Length || probabilities.Length < count * classes || dense.Length < count * denseWidth)
        {
            throw new ArgumentException($"Buffers too small for a batch of {count}: input {batch.Length}, probabilities {probabilities.Length}, dense {dense.Length}.", nameof(count));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch[..(count * LesionCrop.Length)],
            [count, LesionCrop.Channels, LesionCrop.SizeX, LesionCrop.SizeY, LesionCrop.SizeZ]);
        using var probabilityValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, probabilities[..(count * classes)], [count, classes]);
        using var denseValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, dense[..(count * denseWidth)], [count, denseWidth]);
        using var ownRunOptions = runOptions is null ? new RunOptions() : null;
        session.Run(runOptions ?? ownRunOptions!, [inputName], [input], [ModelCard.ProbabilitiesOutput, ModelCard.DenseActivationsOutput], [probabilityValue, denseValue]);
    }

    public void Dispose() => session.Dispose();

    private void CheckDimensions(string id, string name, int[] actual, IReadOnlyList<int> declared)
    {
        var matches = actual.Length == declared.Count
            && actual.Zip(declared).All(p => p.Second == -1 ? p.First <= 0 : p.First == p.Second);
        if (!matches)
        {
            session.Dispose();
            throw new ModelPackageException(
                $"Model '{id}' refused: the ONNX graph's '{name}' has shape [{string.Join(", ", actual)}] but the card declares [{string.Join(", ", declared)}].");
        }
    }
}
