using LiverFlow.Inference.Data;
using LiverFlow.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LiverFlow.Inference.Runtime;

/// <summary>The model the process serves, once it is verified and its session is open.</summary>
public sealed record ActiveModel(ModelPackage Package, LesionBatcher Batcher, string Provider)
{
    public string Id => Package.Card.Id;
    public string Version => Package.Card.Version;
    public string Sha256 => Package.Card.Sha256;
}

/// <summary>
/// Owns the process's one model session. At start-up it loads <c>Inference:ActiveModel</c> from the models
/// folder: the package is verified (card, SHA-256, preprocessing, input and output spec, then the ONNX graph
/// itself); a refused or missing package leaves the worker unhealthy with the reason, consumers wait (their
/// messages stay unacknowledged in the queue, nothing is lost) and the folder is looked at again every
/// <see cref="InferenceOptions.ModelRecheckInterval"/>, so a fixed package is served without a restart.
/// Every attempt's outcome is recorded in <c>inference.model_activations</c>.
/// </summary>
public sealed partial class ModelHost(IOptions<InferenceOptions> options, IServiceScopeFactory scopes, ILogger<ModelHost> logger) : BackgroundService, IHealthCheck
{
    private readonly TaskCompletionSource<ActiveModel> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string _problem = "the model has not been loaded yet";

    public string ModelDirectory => Path.Combine(ResolveModelsDirectory(options.Value.ModelsDirectory), options.Value.ActiveModel);

    public ActiveModel? Current => _ready.Task.IsCompletedSuccessfully ? _ready.Task.Result : null;

    /// <summary>The active model, waiting while it is refused or missing.</summary>
    public Task<ActiveModel> WaitUntilReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>Loads and verifies a package and opens its session with the configured provider (CPU fallback). Throws <see cref="ModelPackageException"/> when refused.</summary>
    public static ActiveModel Open(string directory, InferenceOptions options, out string? fallbackReason)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(directory))
        {
            throw new ModelPackageException($"Model folder '{directory}' does not exist.");
        }

        var package = ModelPackage.Load(directory);
        var choice = SessionOptionsFactory.Create(options);
        fallbackReason = choice.FallbackReason;
        LesionClassifier classifier;
        using (choice.Options)
        {
            classifier = new LesionClassifier(package, choice.Options);
        }

        var batcher = new LesionBatcher(classifier, options.MaxBatchSize, TimeSpan.FromMilliseconds(options.MaxBatchWaitMs), options.TestTimeAugmentations);
        return new ActiveModel(package, batcher, choice.Provider);
    }

    /// <summary>The models folder: as configured, else the nearest <c>models/</c> above the binary (a checkout), else <c>./models</c>.</summary>
    public static string ResolveModelsDirectory(string configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath("models");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        string? lastProblem = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var directory = ModelDirectory;
            try
            {
                var model = Open(directory, settings, out var fallback);
                if (fallback is not null)
                {
                    LogCudaFallback(logger, settings.CudaDeviceId, fallback);
                }

                LogModelActive(logger, model.Id, model.Version, model.Sha256, model.Provider, settings.MaxBatchSize, settings.MaxBatchWaitMs, settings.TestTimeAugmentations);
                await RecordAsync(model.Id, model.Version, model.Sha256, true, fallback is null ? null : $"CUDA unavailable, running on CPU: {fallback}", model.Provider, stoppingToken);
                _problem = "";
                _ready.TrySetResult(model);
                return;
            }
            catch (Exception e) when (e is ModelPackageException or IOException or UnauthorizedAccessException)
            {
                _problem = e.Message;
                if (e.Message != lastProblem)
                {
                    // Logged and recorded once per distinct reason, not on every recheck.
                    LogModelRefused(logger, settings.ActiveModel, e.Message);
                    await RecordAsync(settings.ActiveModel, null, null, false, e.Message, SessionOptionsFactory.Cpu, stoppingToken);
                    lastProblem = e.Message;
                }
            }

            await Task.Delay(settings.ModelRecheckInterval, stoppingToken);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Current is { } model
            ? HealthCheckResult.Healthy($"model {model.Id} {model.Version} on {model.Provider}")
            : HealthCheckResult.Unhealthy($"No model to run: {_problem}"));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Current is { } model)
        {
            await model.Batcher.DisposeAsync();
        }
    }

    private async Task RecordAsync(string id, string? version, string? sha, bool accepted, string? reason, string provider, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<InferenceDbContext>();
            db.ModelActivations.Add(new ModelActivationRecord
            {
                ModelId = id.Length > 128 ? id[..128] : id,
                ModelVersion = version is { Length: > 64 } v ? v[..64] : version,
                ModelSha256 = sha,
                Accepted = accepted,
                Reason = reason is { Length: > 2000 } r ? r[..2000] : reason,
                ExecutionProvider = provider,
                Host = Environment.MachineName,
                CheckedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The record is for operators; a database hiccup must not keep the model from serving.
            LogRecordFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Model {ModelId} {ModelVersion} (sha256 {Sha256}) active on {Provider}; batches of up to {MaxBatch} lesions, wait {MaxWaitMs} ms, {Passes} pass(es) per lesion")]
    private static partial void LogModelActive(ILogger logger, string modelId, string modelVersion, string sha256, string provider, int maxBatch, int maxWaitMs, int passes);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "CUDA was asked for (device {DeviceId}) but cannot be used, running on CPU instead: {Reason}")]
    private static partial void LogCudaFallback(ILogger logger, int deviceId, string reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Model {ModelId} refused; the worker is unhealthy and studies wait until a valid package is in place: {Reason}")]
    private static partial void LogModelRefused(ILogger logger, string modelId, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Could not record the model activation")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception);
}
