using System.Text.Json.Nodes;
using LiverFlow.Imaging;
using LiverFlow.Models;
using LiverFlow.Phantom.Cli;
using LiverFlow.Phantom.Export;
using LiverFlow.Phantom.Generation;

namespace LiverFlow.Phantom.Tests;

public class ModelPackageTests
{
    private static string CopyOfDemoModel()
    {
        var source = TestEnvironment.DemoModelDirectory;
        Assert.True(File.Exists(Path.Combine(source, "model-card.json")), $"The demonstration model is missing from {source}.");
        var copy = TestEnvironment.TempDirectory("model");
        foreach (var file in new[] { "model.onnx", "model-card.json" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(copy, file));
        }

        return copy;
    }

    [Fact]
    public void The_committed_demonstration_model_loads_and_declares_itself_a_demonstration()
    {
        var package = ModelPackage.Load(TestEnvironment.DemoModelDirectory);
        Assert.True(package.Card.DemonstrationOnly);
        Assert.Equal(["hcc", "icc", "crc_metastasis", "cyst", "hemangioma", "fnh"], package.Card.Classes);
        Assert.Contains("DEMONSTRATION MODEL", File.ReadAllText(Path.Combine(TestEnvironment.DemoModelDirectory, "MODEL_CARD.md")), StringComparison.Ordinal);
        Assert.True(new FileInfo(package.ModelPath).Length < 10_000_000);
    }

    [Fact]
    public void A_tampered_model_file_is_refused_by_its_hash()
    {
        var copy = CopyOfDemoModel();
        var path = Path.Combine(copy, "model.onnx");
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy));
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
        Assert.Contains("refused", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("preprocessing", "version", "0.9", "preprocessing")]
    [InlineData("input", "shape", "[-1, 3, 32, 32, 16]", "input lesion_crop")]
    [InlineData("input", "channels", "[\"PortalVenous\", \"Arterial\", \"Delayed\"]", "input channels")]
    public void A_card_whose_spec_differs_from_the_preprocessing_is_refused(string section, string field, string json, string expected)
    {
        var copy = CopyOfDemoModel();
        var cardPath = Path.Combine(copy, ModelPackage.CardFileName);
        var card = JsonNode.Parse(File.ReadAllText(cardPath))!.AsObject();
        card[section]![field] = JsonNode.Parse(json.StartsWith('[') ? json : $"\"{json}\"");
        File.WriteAllText(cardPath, card.ToJsonString());
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_naming_an_output_the_graph_lacks_is_refused_when_the_session_opens()
    {
        var copy = CopyOfDemoModel();
        var cardPath = Path.Combine(copy, ModelPackage.CardFileName);
        var card = JsonNode.Parse(File.ReadAllText(cardPath))!.AsObject();
        card["outputs"]!.AsArray().Add(new JsonObject { ["name"] = "saliency", ["dtype"] = "float32", ["shape"] = new JsonArray(-1, 6) });
        File.WriteAllText(cardPath, card.ToJsonString());
        var e = Assert.Throws<ModelPackageException>(() => new LesionClassifier(ModelPackage.Load(copy)));
        Assert.Contains("no output 'saliency'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Onnx_runtime_in_csharp_matches_pytorch_on_the_same_crops()
    {
        var crops = Enumerable.Range(0, 6).Select(n => TrainingSampleFactory.Make(700 + n, (LesionClass)n).Crop).ToList();
        var dir = TestEnvironment.TempDirectory("parity");
        var inputs = Path.Combine(dir, "inputs.npy");
        NpyWriter.Write(inputs, crops.SelectMany(c => c.Data).ToArray(), [crops.Count, 3, 24, 24, 12]);
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "training", "reference_outputs.py");
        TestEnvironment.RunPython(script, "--checkpoint", Path.Combine(TestEnvironment.DemoModelDirectory, "weights.pt"), "--inputs", inputs, "--out", dir);
        var (torchProbabilities, _) = NpyReader.Read(Path.Combine(dir, "probabilities.npy"));
        var (torchDense, _) = NpyReader.Read(Path.Combine(dir, "dense.npy"));

        using var classifier = new LesionClassifier(ModelPackage.Load(TestEnvironment.DemoModelDirectory));
        var predictions = classifier.Classify(crops);
        var onnxProbabilities = predictions.SelectMany(p => p.Probabilities).ToArray();
        var onnxDense = predictions.SelectMany(p => p.DenseActivations).ToArray();
        Assert.Equal(torchProbabilities.Length, onnxProbabilities.Length);
        Assert.Equal(torchDense.Length, onnxDense.Length);
        var worstProbability = torchProbabilities.Zip(onnxProbabilities).Max(p => Math.Abs(p.First - p.Second));
        var worstDense = torchDense.Zip(onnxDense).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worstProbability < 1e-4, $"probabilities differ by up to {worstProbability:E2}");
        Assert.True(worstDense < 1e-4, $"dense activations differ by up to {worstDense:E2}");
        Assert.All(predictions, p => Assert.InRange(p.Probabilities.Sum(), 0.999f, 1.001f));
    }

    [Fact]
    public void Held_out_metrics_follow_from_the_confusion_matrix()
    {
        string[] classes = ["a", "b", "c"];
        var confusion = new int[,] { { 8, 2, 0 }, { 1, 9, 0 }, { 0, 0, 10 } };
        var index = new JsonObject { ["base_seed"] = 9_000_000 };
        var metrics = ModelEvaluation.Metrics(classes, confusion, index);
        Assert.Equal(0.9, metrics["accuracy"]!.GetValue<double>(), 6);
        Assert.Equal(0.8, metrics["per_class"]!["a"]!["sensitivity"]!.GetValue<double>(), 6);
        Assert.Equal(0.95, metrics["per_class"]!["a"]!["specificity"]!.GetValue<double>(), 6);
        Assert.Equal(0.9, metrics["per_class"]!["b"]!["sensitivity"]!.GetValue<double>(), 6);
        Assert.Equal(0.9, metrics["per_class"]!["b"]!["specificity"]!.GetValue<double>(), 6);
        Assert.Equal(1.0, metrics["per_class"]!["c"]!["specificity"]!.GetValue<double>(), 6);
        Assert.Equal(30, metrics["lesions"]!.GetValue<int>());
    }

    [Fact]
    public void The_published_card_metrics_are_the_evaluation_commands_output_format()
    {
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(TestEnvironment.DemoModelDirectory, ModelPackage.CardFileName)))!.AsObject();
        var evaluation = card["evaluation"]!.AsObject();
        Assert.Equal("training/evaluate", evaluation["command"]!.GetValue<string>());
        var counts = evaluation["confusion_matrix"]!["counts"]!.AsArray();
        var total = counts.Sum(r => r!.AsArray().Sum(v => v!.GetValue<int>()));
        var correct = Enumerable.Range(0, counts.Count).Sum(i => counts[i]![i]!.GetValue<int>());
        Assert.Equal(evaluation["lesions"]!.GetValue<int>(), total);
        Assert.Equal(Math.Round(correct / (double)total, 4), evaluation["accuracy"]!.GetValue<double>(), 6);
        Assert.True(evaluation["seeds"]![0]!.GetValue<int>() >= 9_000_000, "held-out seeds are kept apart from training and tests");
        Assert.Equal(ModelEvaluation.RenderMarkdown(card), File.ReadAllText(Path.Combine(TestEnvironment.DemoModelDirectory, "MODEL_CARD.md")));
    }

    [Fact]
    public void The_cards_held_out_metrics_are_what_rerunning_the_evaluation_gives()
    {
        // What training/evaluate does, in process: regenerate the held-out lesions from the card's seeds and
        // classify them. The card is believed only if its numbers come back (one lesion of slack for a
        // near-tie that another CPU's kernels might round the other way).
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(TestEnvironment.DemoModelDirectory, ModelPackage.CardFileName)))!.AsObject();
        var published = card["evaluation"]!.AsObject();
        var lesions = published["lesions"]!.GetValue<int>();
        var data = TestEnvironment.TempDirectory("heldout");
        TrainingExporter.Export(data, lesions, published["seeds"]![0]!.GetValue<int>());
        using var classifier = new LesionClassifier(ModelPackage.Load(TestEnvironment.DemoModelDirectory));
        var rerun = ModelEvaluation.Evaluate(classifier, data);

        Assert.Equal(lesions, rerun["lesions"]!.GetValue<int>());
        Assert.True(Math.Abs(rerun["accuracy"]!.GetValue<double>() - published["accuracy"]!.GetValue<double>()) <= 1.0 / lesions + 1e-9,
            $"the card says {published["accuracy"]}, rerunning the evaluation gives {rerun["accuracy"]}");
        var mine = rerun["confusion_matrix"]!["counts"]!.AsArray();
        var theirs = published["confusion_matrix"]!["counts"]!.AsArray();
        var differences = Enumerable.Range(0, mine.Count).Sum(r => Enumerable.Range(0, mine.Count)
            .Sum(c => Math.Abs(mine[r]![c]!.GetValue<int>() - theirs[r]![c]!.GetValue<int>())));
        Assert.True(differences <= 2, $"the rerun's confusion matrix differs from the card's in {differences / 2} lesion(s): {mine.ToJsonString()} vs {theirs.ToJsonString()}");
        Directory.Delete(data, recursive: true);
    }
}
