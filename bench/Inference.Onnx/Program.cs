using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LiverFlow.Imaging;
using LiverFlow.Inference;
using LiverFlow.Inference.Runtime;
using LiverFlow.Models;

// ONNX Runtime in C# (the worker's own path: verified package, session options from InferenceOptions, RunInto with
// reused buffers) against PyTorch (Debian python3-torch) on the same weights and inputs, at batch 1, 8, 32, 128, and
// both against the physical limit: the model's FLOPs per lesion over this CPU's measured peak SGEMM FLOP/s.
var arguments = ParseArguments(args);
var repository = FindRepositoryRoot();
var modelDirectory = arguments.GetValueOrDefault("model") ?? Path.Combine(repository, "models", "liverflow-demo-hamm2019-v1");
var threads = int.Parse(arguments.GetValueOrDefault("threads") ?? "2", CultureInfo.InvariantCulture);
var seconds = double.Parse(arguments.GetValueOrDefault("seconds") ?? "4", CultureInfo.InvariantCulture);
int[] batches = (arguments.GetValueOrDefault("batches") ?? "1,8,32,128").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
var python = arguments.GetValueOrDefault("python") ?? "/usr/bin/python3";

// Inputs: random crops in the model's range (speed does not depend on the values; both sides get the same ones).
var maxBatch = batches.Max();
var random = new Random(42);
var pool = new float[maxBatch * LesionCrop.Length];
for (var i = 0; i < pool.Length; i++)
{
    pool[i] = (float)(random.NextDouble() * 2 - 1);
}

var work = Path.Combine(Path.GetTempPath(), "liverflow-bench-inference-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
var inputs = Path.Combine(work, "inputs.npy");
NpyWriter.Write(inputs, pool, [maxBatch, LesionCrop.Channels, LesionCrop.SizeX, LesionCrop.SizeY, LesionCrop.SizeZ]);

var options = new InferenceOptions { IntraOpThreads = threads, InterOpThreads = 1, MaxBatchSize = maxBatch };
var choice = SessionOptionsFactory.Create(options);
using var classifier = new LesionClassifier(ModelPackage.Load(modelDirectory), choice.Options);
choice.Options.Dispose();
var classes = classifier.Package.Card.Classes.Count;
var probabilities = new float[maxBatch * classes];
var dense = new float[maxBatch * classifier.DenseWidth];
Console.WriteLine($"model {classifier.Package.Card.Id} {classifier.Package.Card.Version}, ONNX Runtime on {choice.Provider}, {threads} intra-op thread(s), {Environment.ProcessorCount} logical CPU(s)");

var onnx = new List<(int Batch, int Runs, double MedianMs)>();
foreach (var batch in batches)
{
    classifier.RunInto(pool, batch, probabilities, dense); // warm-up: first run plans memory
    var times = new List<double>();
    var budget = Stopwatch.StartNew();
    while (times.Count < 3 || (budget.Elapsed.TotalSeconds < seconds && times.Count < 200))
    {
        var clock = Stopwatch.StartNew();
        classifier.RunInto(pool, batch, probabilities, dense);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    onnx.Add((batch, times.Count, times[times.Count / 2]));
}

var weights = Path.Combine(modelDirectory, "weights.pt");
var script = Path.Combine(AppContext.BaseDirectory, "torch_bench.py");
var torchRun = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
foreach (var a in new[] { script, "--training", Path.Combine(repository, "training"), "--weights", weights, "--inputs", inputs,
             "--batches", string.Join(',', batches), "--threads", threads.ToString(CultureInfo.InvariantCulture), "--seconds", seconds.ToString(CultureInfo.InvariantCulture) })
{
    torchRun.ArgumentList.Add(a);
}

using var process = Process.Start(torchRun) ?? throw new InvalidOperationException($"{python} did not start.");
var stdout = await process.StandardOutput.ReadToEndAsync();
var stderr = await process.StandardError.ReadToEndAsync();
await process.WaitForExitAsync();
if (process.ExitCode != 0)
{
    Console.Error.WriteLine($"PyTorch side failed ({process.ExitCode}); install python3-torch and python3-numpy: {stderr}");
    return 1;
}

using var torch = JsonDocument.Parse(stdout);
var flops = torch.RootElement.GetProperty("flops_per_lesion").GetDouble();
var peak = torch.RootElement.GetProperty("peak_sgemm_flops").GetDouble();
var floorMs = flops / peak * 1e3;
Console.WriteLine(FormattableString.Invariant($"PyTorch {torch.RootElement.GetProperty("torch").GetString()}, {threads} thread(s)"));
Console.WriteLine(FormattableString.Invariant($"model: {flops / 1e9:F3} GFLOP per lesion; measured peak SGEMM (2048², torch.mm): {peak / 1e9:F1} GFLOP/s; physical floor {floorMs:F2} ms per lesion"));
var blas = torch.RootElement.GetProperty("blas").EnumerateArray().Select(b => b.GetString()).ToList();
Console.WriteLine($"BLAS behind torch.mm: {(blas.Count == 0 ? "none found" : string.Join(", ", blas))}");
if (!blas.Exists(b => b!.Contains("openblas", StringComparison.Ordinal)))
{
    Console.WriteLine("warning: not OpenBLAS, so the measured peak is far under the hardware's and PyTorch runs slowed: apt-get install libopenblas0-pthread");
}

Console.WriteLine();
Console.WriteLine("batch | ONNX Runtime C#: ms/lesion  lesions/s  % of peak | PyTorch: ms/lesion  lesions/s | ORT / PyTorch");
var torchResults = torch.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("batch").GetInt32());
foreach (var (batch, runs, median) in onnx)
{
    var ortPerLesion = median / batch;
    var ortRate = 1000 / ortPerLesion;
    var fraction = floorMs / ortPerLesion;
    var t = torchResults[batch];
    var torchPerLesion = t.GetProperty("ms_per_lesion").GetDouble();
    Console.WriteLine(FormattableString.Invariant(
        $"{batch,5} | {ortPerLesion,26:F2} {ortRate,10:F1} {fraction,9:P0} | {torchPerLesion,18:F2} {1000 / torchPerLesion,10:F1} | {torchPerLesion / ortPerLesion,12:F2}×"));
}

Console.WriteLine();
Console.WriteLine("Median of repeated runs per batch (warm-up excluded); the paper's anchor is 5.6 ms per lesion (GPU).");
Directory.Delete(work, recursive: true);
return 0;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i].TrimStart('-')] = args[i + 1];
    }

    return result;
}

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "LiverFlow.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("LiverFlow.sln not found above the benchmark binary.");
}
