using System.Collections.Concurrent;
using LiverFlow.Contracts;
using LiverFlow.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Integration.Tests;

/// <summary>
/// The stages around the workflow, played through RabbitMQ from the test process: a bus with the same
/// LiverFlow messaging policy (retry, error queues), an Ingest stand-in that can fail, and an observer
/// of what the workflow publishes.
/// </summary>
public sealed class Neighbours : IAsyncDisposable
{
    private readonly IHost _host;

    private Neighbours(IHost host, string endpointPrefix)
    {
        _host = host;
        EndpointPrefix = endpointPrefix;
        Bus = host.Services.GetRequiredService<IBus>();
        Observed = host.Services.GetRequiredService<ObservedEvents>();
    }

    public IBus Bus { get; }

    public ObservedEvents Observed { get; }

    public string EndpointPrefix { get; }

    /// <summary>The Ingest stand-in's error queue, where its poison messages end up.</summary>
    public string IngestErrorQueue => $"{EndpointPrefix}-ingest-stand-in_error";

    public static async Task<Neighbours> StartAsync(TestEnvironment environment, string topologyPrefix, string endpointPrefix, string stageConnectionString)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RabbitMq:Host"] = environment.RabbitHost,
            ["RabbitMq:Port"] = environment.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = environment.RabbitVirtualHost,
            ["RabbitMq:Username"] = environment.RabbitUser,
            ["RabbitMq:Password"] = environment.RabbitPassword,
            ["Messaging:EndpointPrefix"] = endpointPrefix,
            ["Messaging:TopologyPrefix"] = topologyPrefix,
            ["Messaging:RetryLimit"] = "2",
            ["Messaging:RetryMinInterval"] = "00:00:00.050",
            ["Messaging:RetryMaxInterval"] = "00:00:00.200",
        });
        builder.Logging.AddFilter(_ => false);
        builder.Services.AddSingleton<ObservedEvents>();
        builder.Services.AddDbContext<ReportingProbeDbContext>(o => o.UseNpgsql(stageConnectionString).UseSnakeCaseNamingConvention());
        builder.Services.AddLiverFlowMessaging(builder.Configuration, x =>
        {
            x.AddConsumer<IngestStandIn>();
            x.AddConsumer<WorkflowEventsObserver>();
            x.AddConsumer<ReportingStandIn>();
        });
        builder.Services.AddOutboxRelay<ReportingProbeDbContext>(builder.Configuration);
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReportingProbeDbContext>();
            await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
        }
        await host.StartAsync();
        return new Neighbours(host, endpointPrefix);
    }

    /// <summary>Publishes as the message's runtime type (callers may hold it as <c>object</c>), optionally with a chosen MessageId.</summary>
    public Task Publish(object message, Guid? messageId = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bus.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(ctx =>
        {
            if (messageId is { } id)
            {
                ctx.MessageId = id;
            }
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Plays Ingest's consumer of StudyReceived: succeeds, or fails the way a broken study makes it fail.</summary>
public sealed class IngestStandIn : IConsumer<StudyReceived>
{
    /// <summary>A study sent from this AE title is one Ingest can never process.</summary>
    public const string PoisonAeTitle = "POISON";

    public const string PoisonReason = "Instance 7 of series 4 has no Pixel Data (7FE0,0010); no volume can be built.";

    public Task Consume(ConsumeContext<StudyReceived> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Message.CallingAeTitle == PoisonAeTitle)
        {
            throw new PoisonMessageException(PoisonReason);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Records what the workflow published (through its outbox relay), with the MessageId it arrived with.</summary>
public sealed class WorkflowEventsObserver(ObservedEvents observed) : IConsumer<StudyFlaggedForReview>, IConsumer<StudyWorkflowEnded>
{
    public Task Consume(ConsumeContext<StudyFlaggedForReview> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        observed.Add(context.MessageId, context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<StudyWorkflowEnded> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        observed.Add(context.MessageId, context.Message);
        return Task.CompletedTask;
    }
}

public sealed class ObservedEvents
{
    private readonly ConcurrentQueue<(Guid? MessageId, IStudyMessage Message)> _events = new();

    public void Add(Guid? messageId, IStudyMessage message) => _events.Enqueue((messageId, message));

    public IReadOnlyList<(Guid? MessageId, T Message)> Of<T>(Guid correlationId)
        where T : IStudyMessage
        => _events.Where(e => e.Message is T && e.Message.CorrelationId == correlationId).Select(e => (e.MessageId, (T)e.Message)).ToList();

    public async Task<IReadOnlyList<(Guid? MessageId, T Message)>> WaitForAsync<T>(Guid correlationId, int count = 1, TimeSpan? timeout = null)
        where T : IStudyMessage
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var found = Of<T>(correlationId);
            if (found.Count >= count)
            {
                return found;
            }
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Expected {count} {typeof(T).Name} for study {correlationId} within {limit}, saw {found.Count}.");
            }
            await Task.Delay(50);
        }
    }
}
