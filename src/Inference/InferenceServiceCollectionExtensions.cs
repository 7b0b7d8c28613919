using LiverFlow.Inference.Data;
using LiverFlow.Inference.Runtime;
using LiverFlow.Inference.Studies;
using LiverFlow.Messaging;
using LiverFlow.Messaging.Database;
using LiverFlow.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace LiverFlow.Inference;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// The inference worker: <c>StudyIngested</c> → crops (shared preprocessing) → batched ONNX Runtime session
    /// (CPU, or CUDA with a CPU fallback) → results in schema <c>inference</c> → <c>LesionsClassified</c> through the outbox.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceService(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.AddServiceDatabase<InferenceDbContext>(InferenceDbContext.Schema);
        services.AddMigrateOnStartup<InferenceDbContext>(configuration);
        services.AddLiverFlowMessaging(configuration, x => x.AddConsumer<StudyIngestedConsumer>());
        services.AddOutboxRelay<InferenceDbContext>(configuration);

        services.AddOptions<InferenceOptions>()
            .Bind(configuration.GetSection(InferenceOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(StorageRootOf(o, configuration)),
                "Inference:StorageRoot (or Ingest:StorageRoot) must name the file store Ingest writes.")
            .ValidateOnStart();

        services.AddSingleton(sp => new SharedFileStore(StorageRootOf(sp.GetRequiredService<IOptions<InferenceOptions>>().Value, configuration)));
        services.AddSingleton<ModelHost>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelHost>());
        services.AddHealthChecks().AddCheck<ModelHost>("model", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>The shared store: Inference's own setting, else Ingest's (one store per site, written by Ingest).</summary>
    private static string StorageRootOf(InferenceOptions options, IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(options.StorageRoot) ? options.StorageRoot : configuration["Ingest:StorageRoot"] ?? "";
}
