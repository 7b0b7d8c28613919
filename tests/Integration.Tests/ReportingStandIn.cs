using LiverFlow.Contracts;
using LiverFlow.Messaging;
using LiverFlow.Messaging.Inbox;
using LiverFlow.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Integration.Tests;

/// <summary>
/// A stage built the way every LiverFlow stage is: an idempotent consumer that changes its own schema
/// and publishes its result through its outbox, in one transaction. It drafts a report for
/// <see cref="LesionsInterpreted"/> messages carrying <see cref="RulesVersion"/> (other tests' studies
/// are left to their own scripts).
/// </summary>
public sealed class ReportingStandIn(ReportingProbeDbContext db, IOutbox outbox, OutboxSignal signal, TimeProvider clock, ILogger<ReportingStandIn> logger)
    : IdempotentConsumer<LesionsInterpreted, ReportingProbeDbContext>(db, signal, clock, logger)
{
    public const string RulesVersion = "lirads-probe";

    protected override async Task HandleAsync(ConsumeContext<LesionsInterpreted> context)
    {
        var message = context.Message;
        if (message.RulesVersion != RulesVersion)
        {
            return;
        }
        // Slow enough that concurrent copies of one message really overlap.
        await Task.Delay(200, context.CancellationToken);
        var key = $"studies/{message.CorrelationId}/report/draft-{Guid.NewGuid():N}.sr.dcm";
        Db.Drafts.Add(new ProbeDraft { CorrelationId = message.CorrelationId, StorageKey = key, CreatedAt = Clock.GetUtcNow() });
        outbox.Enqueue(new DraftReportCreated(message.CorrelationId, message.RulesVersion,
            new StoredObjectRef(key, new string('e', 64), 2048, "application/dicom"), Clock.GetUtcNow()), message.CorrelationId);
    }
}

public sealed class ProbeDraft
{
    public Guid CorrelationId { get; set; }

    public string StorageKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class ReportingProbeDbContext(DbContextOptions<ReportingProbeDbContext> options) : DbContext(options), IMessagingDbContext
{
    public const string Schema = "reporting_probe";

    public DbSet<ProbeDraft> Drafts => Set<ProbeDraft>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        // No key on the study: a second application of the same message would add a second draft row.
        modelBuilder.Entity<ProbeDraft>(e =>
        {
            e.ToTable("drafts");
            e.HasKey(x => x.StorageKey);
        });
        modelBuilder.MapInboxAndOutbox(Schema);
    }
}
