using System.ComponentModel.DataAnnotations;

namespace LiverFlow.Inference;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum ExecutionProviderKind
{
    Cpu,
    /// <summary>CUDA when the GPU and its libraries load; otherwise CPU with one warning at start-up.</summary>
    Cuda,
}

/// <summary>The Inference worker's settings (section <c>Inference</c>).</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>
    /// Root of the shared file store Ingest writes (volumes, lesion list, label map). Empty: the worker uses
    /// <c>Ingest:StorageRoot</c>, which <c>./liverflow start</c> exports for every worker.
    /// </summary>
    public string StorageRoot { get; set; } = "";

    /// <summary>Folder holding model packages (<c>models/&lt;id&gt;/</c>). Empty: the nearest <c>models/</c> above the binary.</summary>
    public string ModelsDirectory { get; set; } = "";

    /// <summary>The package to run: switching models is this setting (or the environment), never code.</summary>
    [Required(ErrorMessage = "Inference:ActiveModel must name a folder under the models directory.")]
    [RegularExpression(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", ErrorMessage = "Inference:ActiveModel must be a plain folder name.")]
    public string ActiveModel { get; set; } = "liverflow-demo-hamm2019-v1";

    public ExecutionProviderKind ExecutionProvider { get; set; } = ExecutionProviderKind.Cpu;

    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>CUDA arena limit in bytes (0: ONNX Runtime's default, the whole device).</summary>
    [Range(0, long.MaxValue)]
    public long CudaMemoryLimitBytes { get; set; }

    /// <summary>Threads inside one operator (0: one per physical core, ONNX Runtime's default).</summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Threads across operators. The network is a chain (no parallel branches worth it after fusion),
    /// so sequential execution with one inter-op thread is the deliberate default.
    /// </summary>
    [Range(1, 64)]
    public int InterOpThreads { get; set; } = 1;

    /// <summary>Most lesions in one forward pass (across studies); buffers are sized for it once.</summary>
    [Range(1, 1024)]
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>How long the first lesion of a batch waits for others before the batch runs anyway.</summary>
    [Range(0, 10_000)]
    public int MaxBatchWaitMs { get; set; } = 5;

    /// <summary>Test-time augmentation: forward passes per lesion (1 = off; up to 8 flips of X, Y, Z), averaged.</summary>
    [Range(1, 8)]
    public int TestTimeAugmentations { get; set; } = 1;

    /// <summary>How often a refused or missing model is looked at again, so a fixed package is picked up without a restart.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ModelRecheckInterval { get; set; } = TimeSpan.FromSeconds(10);
}
