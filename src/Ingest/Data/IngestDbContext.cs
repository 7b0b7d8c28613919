using LiverFlow.Messaging;
using LiverFlow.Messaging.Inbox;
using LiverFlow.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LiverFlow.Ingest.Data;

/// <summary>Schema <c>ingest</c>: patients (pseudonymised), studies, series, instances, phase decisions, volumes, lesions, and the outbox.</summary>
public sealed class IngestDbContext(DbContextOptions<IngestDbContext> options) : DbContext(options), IMessagingDbContext
{
    public const string Schema = "ingest";

    public DbSet<PatientRecord> Patients => Set<PatientRecord>();
    public DbSet<StudyRecord> Studies => Set<StudyRecord>();
    public DbSet<StudyVersionRecord> StudyVersions => Set<StudyVersionRecord>();
    public DbSet<SeriesRecord> Series => Set<SeriesRecord>();
    public DbSet<InstanceRecord> Instances => Set<InstanceRecord>();
    public DbSet<PhaseDecisionRecord> PhaseDecisions => Set<PhaseDecisionRecord>();
    public DbSet<VolumeRecord> Volumes => Set<VolumeRecord>();
    public DbSet<LesionRecord> Lesions => Set<LesionRecord>();
    public DbSet<RejectionRecord> Rejections => Set<RejectionRecord>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<PatientRecord>(e =>
        {
            e.ToTable("patients");
            e.Property(x => x.Pseudonym).HasMaxLength(64);
            e.HasIndex(x => x.Pseudonym).IsUnique();
        });
        modelBuilder.Entity<StudyRecord>(e =>
        {
            e.ToTable("studies");
            e.Property(x => x.StudyInstanceUid).HasMaxLength(64);
            e.HasIndex(x => x.StudyInstanceUid).IsUnique();
            e.HasIndex(x => x.CorrelationId);
            e.Property(x => x.State).HasMaxLength(32);
            e.Property(x => x.CallingAeTitle).HasMaxLength(16);
            // The completion sweep's query: open studies by their last arrival.
            e.HasIndex(x => new { x.State, x.LastInstanceAt });
            e.HasOne<PatientRecord>().WithMany().HasForeignKey(x => x.PatientId);
        });
        modelBuilder.Entity<StudyVersionRecord>(e =>
        {
            e.ToTable("study_versions");
            e.Property(x => x.Outcome).HasMaxLength(32);
            e.HasIndex(x => new { x.StudyId, x.Version }).IsUnique();
            e.HasOne<StudyRecord>().WithMany().HasForeignKey(x => x.StudyId);
        });
        modelBuilder.Entity<SeriesRecord>(e =>
        {
            e.ToTable("series");
            e.Property(x => x.SeriesInstanceUid).HasMaxLength(64);
            e.HasIndex(x => x.SeriesInstanceUid).IsUnique();
            e.Property(x => x.Modality).HasMaxLength(16);
            e.Property(x => x.SeriesDescription).HasMaxLength(64);
            e.HasOne<StudyRecord>().WithMany().HasForeignKey(x => x.StudyId);
        });
        modelBuilder.Entity<InstanceRecord>(e =>
        {
            e.ToTable("instances");
            e.Property(x => x.SopInstanceUid).HasMaxLength(64);
            e.HasIndex(x => x.SopInstanceUid).IsUnique();
            e.Property(x => x.SopClassUid).HasMaxLength(64);
            e.Property(x => x.TransferSyntaxUid).HasMaxLength(64);
            e.Property(x => x.StorageKey).HasMaxLength(256);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.Property(x => x.CallingAeTitle).HasMaxLength(16);
            e.HasIndex(x => x.StudyId);
            e.HasOne<StudyRecord>().WithMany().HasForeignKey(x => x.StudyId);
            e.HasOne<SeriesRecord>().WithMany().HasForeignKey(x => x.SeriesId);
        });
        modelBuilder.Entity<PhaseDecisionRecord>(e =>
        {
            e.ToTable("phase_decisions");
            e.Property(x => x.SeriesInstanceUid).HasMaxLength(64);
            e.Property(x => x.SeriesDescription).HasMaxLength(64);
            e.Property(x => x.Phase).HasMaxLength(32);
            e.Property(x => x.RulesVersion).HasMaxLength(64);
            e.HasIndex(x => new { x.StudyId, x.Version });
            e.HasOne<StudyRecord>().WithMany().HasForeignKey(x => x.StudyId);
        });
        modelBuilder.Entity<VolumeRecord>(e =>
        {
            e.ToTable("volumes");
            e.Property(x => x.Phase).HasMaxLength(32);
            e.Property(x => x.SourceSeriesInstanceUid).HasMaxLength(64);
            e.Property(x => x.StorageKey).HasMaxLength(256);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.Property(x => x.MediaType).HasMaxLength(64);
            e.Property(x => x.AffineLps).HasColumnType("jsonb");
            e.HasIndex(x => new { x.StudyId, x.Version, x.Phase }).IsUnique();
            e.HasOne<StudyRecord>().WithMany().HasForeignKey(x => x.StudyId);
        });
        modelBuilder.Entity<LesionRecord>(e =>
        {
            e.ToTable("lesions");
            e.Property(x => x.Source).HasMaxLength(16);
            e.Property(x => x.Label).HasMaxLength(64);
            e.Property(x => x.MaskStorageKey).HasMaxLength(256);
            e.Property(x => x.MaskSha256).HasMaxLength(64);
            e.HasIndex(x => new { x.StudyId, x.Version, x.LesionNumber }).IsUnique();
            e.HasOne<StudyRecord>().WithMany().HasForeignKey(x => x.StudyId);
        });
        modelBuilder.Entity<RejectionRecord>(e =>
        {
            e.ToTable("rejections");
            e.Property(x => x.Source).HasMaxLength(16);
            e.Property(x => x.CallingAeTitle).HasMaxLength(16);
            e.Property(x => x.SopInstanceUid).HasMaxLength(64);
            e.Property(x => x.StudyHash).HasMaxLength(16);
            e.HasIndex(x => x.RejectedAt);
        });
        modelBuilder.MapInboxAndOutbox(Schema);
    }
}

/// <summary>For <c>dotnet ef migrations add</c> only: the host's provider, naming convention and history table, connecting nowhere.</summary>
public sealed class IngestDbContextDesignTimeFactory : IDesignTimeDbContextFactory<IngestDbContext>
{
    public IngestDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<IngestDbContext>()
            .UseNpgsql("Host=design-time-only", o => o.MigrationsHistoryTable("__ef_migrations_history", IngestDbContext.Schema))
            .UseSnakeCaseNamingConvention()
            .Options;
        return new IngestDbContext(options);
    }
}
