using LiverFlow.Ingest.Assembly;
using LiverFlow.Ingest.Completion;
using LiverFlow.Ingest.Data;
using LiverFlow.Ingest.Lesions;
using LiverFlow.Ingest.Phases;
using LiverFlow.Ingest.Receiving;
using LiverFlow.Ingest.Storage;
using LiverFlow.Messaging;
using LiverFlow.Messaging.Database;
using LiverFlow.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace LiverFlow.Ingest;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// The ingest worker: DICOM listener and watch folder → durable store and index (schema <c>ingest</c>)
    /// → completion sweep → phases, volumes, lesions → <c>StudyIngested</c> / <c>StudyNeedsAttention</c> through the outbox.
    /// </summary>
    public static IHostApplicationBuilder AddIngestService(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.AddServiceDatabase<IngestDbContext>(IngestDbContext.Schema);
        services.AddMigrateOnStartup<IngestDbContext>(configuration);
        // Ingest consumes nothing: it only publishes, through its outbox.
        services.AddLiverFlowMessaging(configuration, _ => { });
        services.AddOutboxRelay<IngestDbContext>(configuration);

        services.AddOptions<IngestOptions>()
            .Bind(configuration.GetSection(IngestOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Dicom.AllowedCallingAeTitles.All(ae => ae.Length is > 0 and <= 16),
                "Ingest:Dicom:AllowedCallingAeTitles entries must be 1–16 characters.")
            .Validate(o => System.Net.IPAddress.TryParse(o.Dicom.BindAddress, out _), "Ingest:Dicom:BindAddress must be an IP address.")
            .ValidateOnStart();
        services.AddOptions<PhaseRules>().Bind(configuration.GetSection($"{IngestOptions.SectionName}:PhaseRules"));

        services.AddSingleton<FileStore>();
        services.AddSingleton<LesionSidecarStore>();
        services.AddSingleton<InstanceReceiver>();
        services.AddSingleton(sp => new ContrastPhaseClassifier(sp.GetRequiredService<IOptions<PhaseRules>>().Value));
        services.AddSingleton<StudyAssembler>();

        services.AddSingleton<DicomListenerService>();
        services.AddHostedService(sp => sp.GetRequiredService<DicomListenerService>());
        services.AddHostedService<WatchFolderService>();
        services.AddHostedService<StudyCompletionService>();
        return builder;
    }
}
