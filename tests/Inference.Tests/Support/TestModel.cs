using System.Diagnostics;
using LiverFlow.Inference.Runtime;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Inference.Tests.Support;

/// <summary>Paths, the model under test and external tools; a missing one fails with what to install.</summary>
internal static class TestModel
{
    public const string DebianPython = "/usr/bin/python3";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// The committed demonstration model, or the package named by LIVERFLOW_TEST_MODEL_DIR (a developer's own
    /// package while the demonstration model is being trained).
    /// </summary>
    public static string Directory
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_MODEL_DIR");
            var dir = string.IsNullOrWhiteSpace(overridden) ? Path.Combine(RepositoryRoot, "models", "liverflow-demo-hamm2019-v1") : overridden;
            Assert.True(File.Exists(Path.Combine(dir, "model-card.json")), $"No model package at {dir} (the demonstration model is committed under models/).");
            return dir;
        }
    }

    public static InferenceOptions Options(int maxBatch = 8, int waitMs = 5, int passes = 1, ExecutionProviderKind provider = ExecutionProviderKind.Cpu) => new()
    {
        ModelsDirectory = Path.GetDirectoryName(Directory)!,
        ActiveModel = Path.GetFileName(Directory),
        MaxBatchSize = maxBatch,
        MaxBatchWaitMs = waitMs,
        TestTimeAugmentations = passes,
        ExecutionProvider = provider,
        IntraOpThreads = 1,
        ModelRecheckInterval = TimeSpan.FromSeconds(1),
    };

    public static ActiveModel Open(InferenceOptions? options = null) => ModelHost.Open(Directory, options ?? Options(), out _);

    public static string TempDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "liverflow-inference-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A copy of the package's model and card in a temporary folder, to tamper with.</summary>
    public static string CopyOfPackage()
    {
        var copy = TempDirectory("models");
        var target = Path.Combine(copy, Path.GetFileName(Directory));
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in new[] { "model.onnx", "model-card.json" })
        {
            File.Copy(Path.Combine(Directory, file), Path.Combine(target, file));
        }

        return target;
    }

    /// <summary>Runs Debian's python3 (the pyenv one first on PATH cannot import Debian's torch).</summary>
    public static string RunPython(params string[] arguments)
    {
        if (!File.Exists(DebianPython))
        {
            throw new InvalidOperationException($"{DebianPython} is missing: apt-get install python3-numpy python3-torch.");
        }

        var info = new ProcessStartInfo(DebianPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("python3 did not finish within 300 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 {string.Join(' ', arguments)} failed ({process.ExitCode}): {stdout.Result}{stderr.Result}");
        }

        return stdout.Result;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LiverFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LiverFlow.sln not found above the test binaries.");
    }
}

/// <summary>Keeps every log entry (level, event id, text) for assertions.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    public List<(LogLevel Level, EventId Id, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (Entries)
        {
            Entries.Add((logLevel, eventId, formatter(state, exception)));
        }
    }
}
