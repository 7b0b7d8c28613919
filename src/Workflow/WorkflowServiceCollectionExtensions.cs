using Hangfire;
using Hangfire.PostgreSql;
using LiverFlow.Messaging;
using LiverFlow.Messaging.Database;
using LiverFlow.Messaging.Sagas;
using LiverFlow.ServiceDefaults;
using LiverFlow.Workflow.Timeouts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace LiverFlow.Workflow;

public static class WorkflowServiceCollectionExtensions
{
    public const string HangfireSchema = "hangfire";

    /// <summary>The workflow service: saga on RabbitMQ, persisted in schema <c>workflow</c>, its outbox relay and the stage timeout sweep.</summary>
    public static IHostApplicationBuilder AddWorkflowService(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.AddServiceDatabase<WorkflowDbContext>(WorkflowDbContext.Schema);
        services.AddMigrateOnStartup<WorkflowDbContext>(configuration);

        services.AddLiverFlowMessaging(configuration, x =>
        {
            x.AddSagaStateMachine<StudyWorkflow, StudyState, StudyWorkflowDefinition>()
                .PostgresRepository<StudyState, WorkflowDbContext>();
        });
        services.AddOutboxRelay<WorkflowDbContext>(configuration);

        services.AddOptions<StageTimeoutOptions>()
            .Bind(configuration.GetSection(StageTimeoutOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => OverdueStages.Validate(o.Limits).Count == 0,
                "Workflow:Timeouts:Limits is invalid: every key must be a stage (Ingest, Inference, Interpretation, Reporting, SignOff) and every limit positive.")
            .ValidateOnStart();
        services.AddScoped<StageTimeoutSweep>();
        services.AddScoped<StageTimeoutJob>();

        var timeouts = configuration.GetSection(StageTimeoutOptions.SectionName).Get<StageTimeoutOptions>() ?? new StageTimeoutOptions();
        switch (timeouts.Scheduler)
        {
            case TimeoutScheduler.Hangfire:
                var connectionString = configuration.GetLiverFlowConnectionString();
                services.AddHangfire(h => h
                    .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                    .UseSimpleAssemblyNameTypeSerializer()
                    .UseRecommendedSerializerSettings()
                    .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
                    {
                        SchemaName = HangfireSchema,
                        // The migrate step installs the schema; a worker running as the DML-only role cannot.
                        PrepareSchemaIfNecessary = configuration.GetValue(DatabaseMigrations.MigrateOnStartupKey, true),
                        QueuePollInterval = timeouts.PollingInterval,
                    }));
                services.AddHangfireServer(o =>
                {
                    o.WorkerCount = 1;
                    o.SchedulePollingInterval = timeouts.PollingInterval;
                    o.ServerName = $"workflow-{Environment.MachineName}-{Environment.ProcessId}";
                });
                services.AddHostedService<RecurringTimeoutJobRegistration>();
                break;
            case TimeoutScheduler.Polling:
                services.AddHostedService<PollingStageTimeoutService>();
                break;
            case TimeoutScheduler.Off:
                break;
        }
        return builder;
    }
}

/// <summary>The saga endpoint: concurrency retry outside, in-memory outbox inside (see <see cref="SagaEndpointConfiguration"/>).</summary>
public sealed class StudyWorkflowDefinition : SagaDefinition<StudyState>
{
    public const string QueueName = "study-workflow";

    public StudyWorkflowDefinition(IOptions<MessagingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = options.Value.EndpointPrefix;
        Endpoint(e => e.Name = string.IsNullOrEmpty(prefix) ? QueueName : $"{prefix}-{QueueName}");
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<StudyState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseSagaConcurrencyRetry(context);
    }
}

/// <summary>Registers (or updates) the recurring sweep once the schema exists.</summary>
internal sealed class RecurringTimeoutJobRegistration(IRecurringJobManager jobs, IOptions<StageTimeoutOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        jobs.AddOrUpdate<StageTimeoutJob>(StageTimeoutJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), options.Value.SweepCron);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
