using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace LiverFlow.Inference.Runtime;

/// <summary>Session options and which execution provider they actually got.</summary>
public sealed record SessionChoice(SessionOptions Options, string Provider, string? FallbackReason);

/// <summary>
/// Builds ONNX Runtime session options from <see cref="InferenceOptions"/>: graph optimisation at its highest
/// level (constant folding, Conv+BN fusion, layout transforms: all exact in float32 up to rounding), sequential
/// execution, thread counts, and CUDA when asked for and loadable. <c>GetAvailableProviders()</c> lists CUDA
/// whenever the GPU package is referenced, GPU or not, so it proves nothing: the only test is appending the
/// provider, which fails when the CUDA/cuDNN libraries or a device are missing. That failure falls back to CPU.
/// </summary>
public static class SessionOptionsFactory
{
    public const string Cpu = "CPU";
    public const string Cuda = "CUDA";

    public static SessionChoice Create(InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var session = NewCpuOptions(options);
        if (options.ExecutionProvider != ExecutionProviderKind.Cuda)
        {
            return new SessionChoice(session, Cpu, null);
        }

        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            var settings = new Dictionary<string, string> { ["device_id"] = options.CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (options.CudaMemoryLimitBytes > 0)
            {
                settings["gpu_mem_limit"] = options.CudaMemoryLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            cuda.UpdateOptions(settings);
            session.AppendExecutionProvider_CUDA(cuda);
            return new SessionChoice(session, Cuda, null);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            // The options may hold a half-registered provider: start again from clean CPU options.
            session.Dispose();
            return new SessionChoice(NewCpuOptions(options), Cpu, FirstLine(e.Message));
        }
    }

    private static SessionOptions NewCpuOptions(InferenceOptions options) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        IntraOpNumThreads = options.IntraOpThreads,
        InterOpNumThreads = options.InterOpThreads,
    };

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        var line = end < 0 ? message : message[..end];
        return line.Length > 500 ? line[..500] : line;
    }
}
