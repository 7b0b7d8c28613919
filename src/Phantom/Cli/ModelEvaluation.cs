using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiverFlow.Imaging;
using LiverFlow.Models;

namespace LiverFlow.Phantom.Cli;

/// <summary>
/// Held-out evaluation of a model package on an exported lesion set, through ONNX Runtime exactly as the
/// pipeline runs it. The result is written into model-card.json and MODEL_CARD.md is regenerated from the
/// card, so the published numbers always come from this command.
/// </summary>
public static class ModelEvaluation
{
    public static JsonObject Evaluate(LesionClassifier classifier, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(dataDirectory, "index.json")))!.AsObject();
        var classes = classifier.Package.Card.Classes;
        var indexClasses = index["classes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        if (!indexClasses.SequenceEqual(classes))
        {
            throw new ArgumentException($"The lesion set's classes [{string.Join(", ", indexClasses)}] differ from the model's [{string.Join(", ", classes)}].");
        }

        var (crops, shape) = NpyReader.Read(Path.Combine(dataDirectory, index["crops"]!.GetValue<string>()));
        var labels = index["lesions"]!.AsArray().Select(e => e!["class_index"]!.GetValue<int>()).ToArray();
        if (shape[0] != labels.Length)
        {
            throw new ArgumentException($"crops.npy holds {shape[0]} lesions but index.json lists {labels.Length}.");
        }

        var confusion = new int[classes.Count, classes.Count];
        const int batch = 64;
        for (var start = 0; start < labels.Length; start += batch)
        {
            var n = Math.Min(batch, labels.Length - start);
            var slice = crops.AsSpan(start * LesionCrop.Length, n * LesionCrop.Length).ToArray();
            var predictions = classifier.Classify(slice, n);
            for (var i = 0; i < n; i++)
            {
                confusion[labels[start + i], predictions[i].PredictedIndex]++;
            }
        }

        return Metrics(classes, confusion, index);
    }

    public static JsonObject Metrics(IReadOnlyList<string> classes, int[,] confusion, JsonObject index)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(confusion);
        ArgumentNullException.ThrowIfNull(index);
        var total = 0;
        var correct = 0;
        for (var t = 0; t < classes.Count; t++)
        {
            for (var p = 0; p < classes.Count; p++)
            {
                total += confusion[t, p];
                correct += t == p ? confusion[t, p] : 0;
            }
        }

        var perClass = new JsonObject();
        for (var c = 0; c < classes.Count; c++)
        {
            int tp = confusion[c, c], fn = 0, fp = 0;
            for (var o = 0; o < classes.Count; o++)
            {
                if (o != c)
                {
                    fn += confusion[c, o];
                    fp += confusion[o, c];
                }
            }

            var tn = total - tp - fn - fp;
            perClass[classes[c]] = new JsonObject
            {
                ["lesions"] = tp + fn,
                ["sensitivity"] = Math.Round(tp / (double)Math.Max(1, tp + fn), 4),
                ["specificity"] = Math.Round(tn / (double)Math.Max(1, tn + fp), 4),
            };
        }

        var matrix = new JsonArray();
        for (var t = 0; t < classes.Count; t++)
        {
            var row = new JsonArray();
            for (var p = 0; p < classes.Count; p++)
            {
                row.Add(confusion[t, p]);
            }

            matrix.Add(row);
        }

        var baseSeed = index["base_seed"]!.GetValue<int>();
        return new JsonObject
        {
            ["data"] = "held-out synthetic phantom lesions (never used in training or model selection)",
            ["lesions"] = total,
            ["seeds"] = new JsonArray(baseSeed, baseSeed + total - 1),
            ["accuracy"] = Math.Round(correct / (double)Math.Max(1, total), 4),
            ["per_class"] = perClass,
            ["confusion_matrix"] = new JsonObject { ["rows"] = "true class", ["columns"] = "predicted class", ["order"] = new JsonArray(classes.Select(c => (JsonNode)c).ToArray()), ["counts"] = matrix },
            ["runtime"] = "ONNX Runtime (CPU execution provider) via LiverFlow.Models.LesionClassifier",
            ["command"] = "training/evaluate",
        };
    }

    /// <summary>Writes the evaluation into model-card.json (leaving the model's hash untouched) and regenerates MODEL_CARD.md.</summary>
    public static void Publish(string modelDirectory, JsonObject evaluation)
    {
        var cardPath = Path.Combine(modelDirectory, ModelPackage.CardFileName);
        var card = JsonNode.Parse(File.ReadAllText(cardPath))!.AsObject();
        card["evaluation"] = evaluation;
        File.WriteAllText(cardPath, card.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.WriteAllText(Path.Combine(modelDirectory, "MODEL_CARD.md"), RenderMarkdown(card));
    }

    public static string RenderMarkdown(JsonObject card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var s = new StringBuilder();
        var classes = card["classes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        s.AppendLine(CultureInfo.InvariantCulture, $"# {card["id"]} — {card["name"]}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"> **{card["notice"]}**");
        s.AppendLine();
        s.AppendLine("<!-- Generated from model-card.json by `LiverFlow.Phantom evaluate-model` (training/evaluate). Do not edit by hand. -->");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- Version: {card["version"]}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Intended use: {card["intended_use"]}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- File: `{card["file"]!["name"]}`, SHA-256 `{card["file"]!["sha256"]}`");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Architecture: {card["architecture"]!["reference"]}; {card["architecture"]!["layers"]}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Classes (output order): {string.Join(", ", classes)}");
        var input = card["input"]!;
        s.AppendLine(CultureInfo.InvariantCulture, $"- Input `{input["name"]}`: float32 [{string.Join(", ", input["shape"]!.AsArray())}], {input["layout"]}; channels {string.Join(", ", input["channels"]!.AsArray())}; range [-1, 1]");
        s.AppendLine("- Outputs:");
        foreach (var o in card["outputs"]!.AsArray())
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"  - `{o!["name"]}` [{string.Join(", ", o["shape"]!.AsArray())}]: {o["description"]}");
        }

        s.AppendLine(CultureInfo.InvariantCulture, $"- Preprocessing: `{card["preprocessing"]!["id"]}` {card["preprocessing"]!["version"]} — {card["preprocessing"]!["description"]}");
        var training = card["training"]!;
        s.AppendLine();
        s.AppendLine("## Training data and recipe");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- {training["data"]}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Training set: {training["training_set"]!["lesions"]} lesions, seeds {training["training_set"]!["seeds"]![0]}–{training["training_set"]!["seeds"]![1]}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Validation set (model selection): {training["validation_set"]!["lesions"]} lesions, seeds {training["validation_set"]!["seeds"]![0]}–{training["validation_set"]!["seeds"]![1]}; best validation accuracy {training["best_validation_accuracy"]}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Recipe: {training["recipe"]!.ToJsonString()}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Augmentation: {training["augmentation"]}");
        s.AppendLine();
        s.AppendLine("## Held-out synthetic test");
        s.AppendLine();
        if (card["evaluation"] is not JsonObject evaluation)
        {
            s.AppendLine("Not evaluated yet: run `training/evaluate`.");
            return s.ToString();
        }

        s.AppendLine(CultureInfo.InvariantCulture, $"{evaluation["lesions"]} {evaluation["data"]}, seeds {evaluation["seeds"]![0]}–{evaluation["seeds"]![1]}; {evaluation["runtime"]}.");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"**Accuracy: {evaluation["accuracy"]!.GetValue<double>():P1}** (target ≥ 95% with every class's sensitivity ≥ 90%).");
        s.AppendLine();
        s.AppendLine("| Class | Lesions | Sensitivity | Specificity |");
        s.AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var c in classes)
        {
            var m = evaluation["per_class"]![c]!;
            s.AppendLine(CultureInfo.InvariantCulture, $"| {c} | {m["lesions"]} | {m["sensitivity"]!.GetValue<double>():P1} | {m["specificity"]!.GetValue<double>():P1} |");
        }

        s.AppendLine();
        s.AppendLine("Confusion matrix (rows: true class, columns: predicted class):");
        s.AppendLine();
        s.AppendLine("| true \\ predicted | " + string.Join(" | ", classes) + " |");
        s.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", classes.Count)));
        var counts = evaluation["confusion_matrix"]!["counts"]!.AsArray();
        for (var t = 0; t < classes.Count; t++)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {classes[t]} | {string.Join(" | ", counts[t]!.AsArray())} |");
        }

        s.AppendLine();
        s.AppendLine("These numbers describe synthetic phantoms only. They say nothing about performance on real patients.");
        return s.ToString();
    }
}
