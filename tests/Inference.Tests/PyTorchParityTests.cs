using LiverFlow.Imaging;
using LiverFlow.Inference.Tests.Support;
using LiverFlow.Phantom.Export;
using LiverFlow.Phantom.Generation;

namespace LiverFlow.Inference.Tests;

public class PyTorchParityTests
{
    [Fact]
    public async Task The_batched_worker_path_matches_pytorch_on_phantom_crops_within_1e_4()
    {
        var weights = Path.Combine(TestModel.Directory, "weights.pt");
        Assert.True(File.Exists(weights), $"{weights} is missing: the parity test needs the package's PyTorch state dict.");
        // Phantom lesions of every class, made by the generator and preprocessing that made the training set.
        var crops = Enumerable.Range(0, 12).Select(n => TrainingSampleFactory.Make(9_500_000 + n, (LesionClass)(n % 6)).Crop).ToList();
        var dir = TestModel.TempDirectory("parity");
        var inputs = Path.Combine(dir, "inputs.npy");
        NpyWriter.Write(inputs, crops.SelectMany(c => c.Data).ToArray(), [crops.Count, 3, 24, 24, 12]);
        TestModel.RunPython(Path.Combine(TestModel.RepositoryRoot, "training", "reference_outputs.py"), "--checkpoint", weights, "--inputs", inputs, "--out", dir);
        var (torchProbabilities, _) = NpyReader.Read(Path.Combine(dir, "probabilities.npy"));
        var (torchDense, _) = NpyReader.Read(Path.Combine(dir, "dense.npy"));

        // Through the worker's own path: dynamic batches (of up to 5, so the batch boundaries fall mid-set) into reused buffers.
        var model = TestModel.Open(TestModel.Options(maxBatch: 5, waitMs: 50));
        await using (model.Batcher)
        {
            var outputs = await Task.WhenAll(crops.Select(c => model.Batcher.ClassifyAsync(c)));
            var classes = model.Package.Card.Classes.Count;
            var width = model.Batcher.Classifier.DenseWidth;
            var worstProbability = 0f;
            var worstDense = 0f;
            for (var n = 0; n < crops.Count; n++)
            {
                for (var c = 0; c < classes; c++)
                {
                    worstProbability = Math.Max(worstProbability, Math.Abs(outputs[n].Probabilities[c] - torchProbabilities[n * classes + c]));
                }

                for (var d = 0; d < width; d++)
                {
                    worstDense = Math.Max(worstDense, Math.Abs(outputs[n].DenseActivations[d] - torchDense[n * width + d]));
                }
            }

            Assert.True(worstProbability < 1e-4, $"probabilities differ by up to {worstProbability:E2}");
            Assert.True(worstDense < 1e-4, $"dense activations differ by up to {worstDense:E2}");
            Assert.True(model.Batcher.LargestBatch > 1, "the lesions were never batched together");
        }
    }
}
