using System.Globalization;
using LiverFlow.Phantom.Export;

namespace LiverFlow.Phantom.Cli;

/// <summary>Command line: <c>phantom</c> (DICOM studies) and <c>export-training</c> (preprocessed lesion set).</summary>
public static class PhantomCli
{
    public const string Usage = """
        LiverFlow phantom generator (synthetic multiphasic liver MRI; DEMONSTRATION DATA, not patient data)

          phantom --studies N --seed S --out DIR
              Write N complete DICOM studies (seeds S, S+1, ...) with a DICOM SEG and ground-truth JSON each.
          export-training --lesions N --seed S --out DIR
              Export N class-balanced lesions through the shared LesionPreprocessor as crops.npy + index.json.
          evaluate-model --model models/ID --data DIR
              Classify an exported lesion set with the model package through ONNX Runtime and write the
              held-out metrics into the package's model-card.json and MODEL_CARD.md.

        Seed ranges: tests and demos use seeds below 1,000,000; training 1,000,000–1,999,999;
        validation 2,000,000–2,999,999; held-out test 9,000,000–9,999,999.
        """;

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = ParseOptions(args.AsSpan(1));
            switch (args[0])
            {
                case "export-training":
                {
                    var count = RequiredInt(options, "lesions");
                    var seed = RequiredInt(options, "seed");
                    var output = Required(options, "out");
                    TrainingExporter.Export(output, count, seed, new ProgressBar("export-training", count));
                    Console.WriteLine($"Wrote {count} lesions to {Path.GetFullPath(output)}");
                    return 0;
                }

                case "phantom":
                {
                    var count = RequiredInt(options, "studies");
                    var seed = RequiredInt(options, "seed");
                    var output = Required(options, "out");
                    StudyWriterEntry.WriteStudies(output, count, seed, new ProgressBar("phantom", count));
                    return 0;
                }

                case "evaluate-model":
                {
                    var modelDirectory = Required(options, "model");
                    var data = Required(options, "data");
                    var package = LiverFlow.Models.ModelPackage.Load(modelDirectory);
                    using var classifier = new LiverFlow.Models.LesionClassifier(package);
                    var evaluation = ModelEvaluation.Evaluate(classifier, data);
                    ModelEvaluation.Publish(modelDirectory, evaluation);
                    Console.WriteLine(evaluation.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                    return 0;
                }

                default:
                    Console.Error.WriteLine($"Unknown command '{args[0]}'.");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (LiverFlow.Models.ModelPackageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 3;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var n = 0; n < args.Length; n++)
        {
            var a = args[n];
            if (!a.StartsWith("--", StringComparison.Ordinal) || n + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{a}'.");
            }

            options[a[2..]] = args[++n];
        }

        return options;
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var v) ? v : throw new ArgumentException($"Missing --{name}.");

    private static int RequiredInt(Dictionary<string, string> options, string name)
    {
        var text = Required(options, name);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
            ? v
            : throw new ArgumentException($"--{name} must be a non-negative integer, got '{text}'.");
    }
}
