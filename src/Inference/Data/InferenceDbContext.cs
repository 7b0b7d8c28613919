using LiverFlow.Messaging;
using LiverFlow.Messaging.Inbox;
using LiverFlow.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LiverFlow.Inference.Data;

/// <summary>The inference service's schema: per-lesion results, model activations, and its inbox and outbox.</summary>
public sealed class InferenceDbContext(DbContextOptions<InferenceDbContext> options) : DbContext(options), IMessagingDbContext
{
    public const string Schema = "inference";

    /// <summary>The role the worker runs as in deployment (DML on this schema only); granted by the migrations.</summary>
    public const string WorkerRole = "liverflow_inference";

    public const string QaReaderRole = "liverflow_qa_reader";

    public DbSet<LesionResultRecord> LesionResults => Set<LesionResultRecord>();

    public DbSet<ModelActivationRecord> ModelActivations => Set<ModelActivationRecord>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<LesionResultRecord>(e =>
        {
            e.ToTable("lesion_results");
            e.Property(x => x.ModelId).HasMaxLength(128);
            e.Property(x => x.ModelVersion).HasMaxLength(64);
            e.Property(x => x.ModelSha256).HasMaxLength(64).IsFixedLength();
            e.Property(x => x.Outcome).HasMaxLength(16);
            e.Property(x => x.Reason).HasMaxLength(1000);
            e.Property(x => x.PredictedClass).HasMaxLength(64);
            e.Property(x => x.ExecutionProvider).HasMaxLength(16);
            // Idempotency per (lesion, model): the same study classified twice by one model keeps one row per lesion.
            e.HasIndex(x => new { x.CorrelationId, x.LesionNumber, x.ModelSha256 }).IsUnique();
        });
        modelBuilder.Entity<ModelActivationRecord>(e =>
        {
            e.ToTable("model_activations");
            e.Property(x => x.ModelId).HasMaxLength(128);
            e.Property(x => x.ModelVersion).HasMaxLength(64);
            e.Property(x => x.ModelSha256).HasMaxLength(64);
            e.Property(x => x.Reason).HasMaxLength(2000);
            e.Property(x => x.ExecutionProvider).HasMaxLength(16);
            e.Property(x => x.Host).HasMaxLength(256);
            e.HasIndex(x => x.CheckedAt);
        });
        modelBuilder.MapInboxAndOutbox(Schema);
    }
}

/// <summary>For <c>dotnet ef migrations add</c> only: the host's provider, naming convention and history table, without connecting.</summary>
public sealed class InferenceDbContextDesignTimeFactory : IDesignTimeDbContextFactory<InferenceDbContext>
{
    public InferenceDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<InferenceDbContext>()
            .UseNpgsql("Host=design-time-only", o => o.MigrationsHistoryTable("__ef_migrations_history", InferenceDbContext.Schema))
            .UseSnakeCaseNamingConvention()
            .Options;
        return new InferenceDbContext(options);
    }
}
