using LiverFlow.Messaging;
using LiverFlow.Messaging.Inbox;
using LiverFlow.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LiverFlow.Workflow;

/// <summary>The workflow service's schema: the study saga rows, and its inbox and outbox.</summary>
public sealed class WorkflowDbContext(DbContextOptions<WorkflowDbContext> options) : DbContext(options), IMessagingDbContext
{
    public const string Schema = "workflow";

    /// <summary>The role the worker runs as in deployment (DML on this schema only); granted by the migrations.</summary>
    public const string WorkerRole = "liverflow_workflow";

    /// <summary>The role QA dashboards read with (SELECT on the studies table).</summary>
    public const string QaReaderRole = "liverflow_qa_reader";

    public DbSet<StudyState> Studies => Set<StudyState>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<StudyState>(e =>
        {
            e.ToTable("studies");
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.CorrelationId).ValueGeneratedNever();
            e.Property(x => x.CurrentState).HasMaxLength(32).IsRequired();
            e.Property(x => x.CallingAeTitle).HasMaxLength(16);
            e.Property(x => x.ModelId).HasMaxLength(128);
            e.Property(x => x.ModelVersion).HasMaxLength(128);
            e.Property(x => x.RulesVersion).HasMaxLength(64);
            e.Property(x => x.DraftReportKey).HasMaxLength(512);
            e.Property(x => x.ReaderId).HasMaxLength(128);
            e.Property(x => x.ProblemStage).HasMaxLength(32);
            e.Property(x => x.Reason).HasMaxLength(StudyWorkflow.MaxReasonLength);
            // The timeout sweep and worklists select by state and how long it has been there.
            e.HasIndex(x => new { x.CurrentState, x.StageStartedAt });
        });
        modelBuilder.MapInboxAndOutbox(Schema);
    }
}

/// <summary>
/// For <c>dotnet ef migrations add</c> only: the same provider, naming convention and history table
/// as the host (LiverFlow.ServiceDefaults' AddServiceDatabase), without connecting anywhere.
/// </summary>
public sealed class WorkflowDbContextDesignTimeFactory : IDesignTimeDbContextFactory<WorkflowDbContext>
{
    public WorkflowDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<WorkflowDbContext>()
            .UseNpgsql("Host=design-time-only", o => o.MigrationsHistoryTable("__ef_migrations_history", WorkflowDbContext.Schema))
            .UseSnakeCaseNamingConvention()
            .Options;
        return new WorkflowDbContext(options);
    }
}
