using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Dicom;
using LiverFlow.Ingest.Assembly;
using LiverFlow.Ingest.Data;
using LiverFlow.Ingest.Lesions;
using LiverFlow.Ingest.Storage;
using LiverFlow.Messaging.Outbox;
using LiverFlow.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LiverFlow.Ingest.Completion;

/// <summary>
/// Completes studies. A study is complete when no instance of it arrived for the quiet period, across
/// every association and the watch folder; the open study lives in schema <c>ingest</c>, so a restart
/// resumes it instead of losing it. Completing claims the row (state Assembling, with a lease that a
/// crash lets expire), announces <see cref="StudyReceived"/>, builds phases, volumes and lesions, and
/// commits the rows with <see cref="StudyIngested"/> or <see cref="StudyNeedsAttention"/> in one
/// transaction through the outbox.
/// </summary>
internal sealed partial class StudyCompletionService(
    IServiceScopeFactory scopes,
    IOptions<IngestOptions> options,
    TimeProvider clock,
    ILogger<StudyCompletionService> logger) : BackgroundService
{
    public const string StageName = WorkflowStages.Ingest;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await CompleteNextAsync(stoppingToken))
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database may be restarting; the claim lease and the next pass recover.
                LogSweepFailed(logger, ex);
            }
            await Task.Delay(options.Value.CompletionPollInterval, clock, stoppingToken);
        }
    }

    private sealed record Claim(long StudyId, string StudyInstanceUid, int Version, Guid CorrelationId, DateTime ClaimedAt, string? CallingAeTitle);

    /// <summary>Completes at most one quiet study; false when none is due.</summary>
    internal async Task<bool> CompleteNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<IngestDbContext>();
        var store = services.GetRequiredService<FileStore>();

        var (claim, instances) = await ClaimAsync(db, services, store, ct);
        if (claim is null)
        {
            return false;
        }
        var studyHash = PhiSafe.Hash(claim.StudyInstanceUid);
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = claim.CorrelationId, ["StudyHash"] = studyHash });
        LogCompleting(logger, studyHash, claim.Version, claim.CorrelationId, instances.Count);

        AssemblyResult result;
        try
        {
            var datasets = instances.Select(i => DicomFile.Open(store.PathOf(i)).Dataset).ToList();
            var sidecar = services.GetRequiredService<LesionSidecarStore>().Find(claim.StudyInstanceUid);
            var assembler = services.GetRequiredService<StudyAssembler>();
            result = await Task.Run(() => assembler.Assemble(datasets, sidecar), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever broke, the study must end somewhere a person sees it, not loop on an expiring lease.
            LogAssemblyFailed(logger, ex, studyHash);
            result = new AssemblyResult(null, [], [], $"the study could not be assembled ({ex.GetType().Name}): {ex.Message}");
        }

        var written = result.IsUsable ? WriteObjects(store, claim, result) : null;
        await FinishAsync(db, services, claim, result, written, ct);
        return true;
    }

    private async Task<(Claim? Claim, List<string> Instances)> ClaimAsync(IngestDbContext db, IServiceProvider services, FileStore store, CancellationToken ct)
    {
        var opts = options.Value;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        Claim? claim = null;
        await using (var command = new NpgsqlCommand("""
            UPDATE ingest.studies SET state = 'Assembling', claimed_at = clock_timestamp(), assembly_attempts = assembly_attempts + 1
            WHERE id = (
                SELECT id FROM ingest.studies
                WHERE (state = 'Receiving' AND last_instance_at < now() - @quiet)
                   OR (state = 'Assembling' AND claimed_at < now() - @lease)
                ORDER BY last_instance_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, study_instance_uid, version, correlation_id, claimed_at, calling_ae_title
            """, connection, (NpgsqlTransaction)tx.GetDbTransaction()))
        {
            command.Parameters.AddWithValue("quiet", opts.QuietPeriod);
            command.Parameters.AddWithValue("lease", opts.AssemblyLease);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                claim = new Claim(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetGuid(3), reader.GetDateTime(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5));
            }
        }
        if (claim is null)
        {
            await tx.CommitAsync(ct);
            return (null, []);
        }
        var rows = await db.Instances.AsNoTracking().Where(i => i.StudyId == claim.StudyId).OrderBy(i => i.Id)
            .Select(i => new { i.StorageKey, i.Sha256, i.SopClassUid }).ToListAsync(ct);
        var manifest = store.Write($"studies/{claim.CorrelationId}/received-instances.json", "application/json",
            s => JsonSerializer.Serialize(s, rows.Select(r => new { storageKey = r.StorageKey, sha256 = r.Sha256, sopClassUid = r.SopClassUid })));
        services.GetRequiredService<IOutbox>().Enqueue(
            new StudyReceived(claim.CorrelationId, claim.CallingAeTitle ?? "", rows.Count, manifest, clock.GetUtcNow()), claim.CorrelationId);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        services.GetRequiredService<OutboxSignal>().Notify();
        return (claim, rows.Select(r => r.StorageKey).ToList());
    }

    private sealed record WrittenObjects(IReadOnlyList<(PhaseVolumeResult Volume, StoredObjectRef Ref)> Volumes, StoredObjectRef? Labels, StoredObjectRef LesionManifest);

    private static WrittenObjects WriteObjects(FileStore store, Claim claim, AssemblyResult result)
    {
        var prefix = $"studies/{claim.CorrelationId}";
        var volumes = result.Volumes
            .Select(v => (v, store.Write($"{prefix}/{v.Phase}.nii", NiftiWriter.MediaType, s => NiftiWriter.Write(s, v.Volume, $"LiverFlow {v.Phase}"))))
            .ToList();
        StoredObjectRef? labels = null;
        if (result.Lesions.Count > 0 && result.Grid is { } grid)
        {
            var map = new byte[grid.VoxelCount];
            foreach (var lesion in result.Lesions)
            {
                for (var n = 0; n < map.Length; n++)
                {
                    if (lesion.Mask[n] && map[n] == 0)
                    {
                        map[n] = (byte)Math.Min(lesion.Number, 255);
                    }
                }
            }
            labels = store.Write($"{prefix}/lesion-labels.nii", NiftiWriter.MediaType, s => NiftiWriter.WriteLabels(s, grid, map));
        }
        // The lesion list travels by a fixed key beside the volumes: StudyIngested (v1) has no field for it.
        var lesionManifest = store.Write($"{prefix}/lesions.json", "application/json", s => JsonSerializer.Serialize(s, new
        {
            labelMap = labels?.StorageKey,
            labelMapSha256 = labels?.Sha256,
            lesions = result.Lesions.Select(l => new
            {
                number = l.Number,
                source = l.Source,
                segmentNumber = l.SegmentNumber,
                label = l.Label,
                voxelCount = l.Measurement.VoxelCount,
                volumeMm3 = l.Measurement.VolumeMm3,
                longestDiameterMm = l.Measurement.LongestDiameterMm,
                centreLps = new[] { l.Measurement.Centre.X, l.Measurement.Centre.Y, l.Measurement.Centre.Z },
                boxVoxelMin = new[] { l.Measurement.BoxMin.I, l.Measurement.BoxMin.J, l.Measurement.BoxMin.K },
                boxVoxelMax = new[] { l.Measurement.BoxMax.I, l.Measurement.BoxMax.J, l.Measurement.BoxMax.K },
                boxLpsMin = new[] { l.Measurement.PatientMin.X, l.Measurement.PatientMin.Y, l.Measurement.PatientMin.Z },
                boxLpsMax = new[] { l.Measurement.PatientMax.X, l.Measurement.PatientMax.Y, l.Measurement.PatientMax.Z },
            }),
        }));
        return new WrittenObjects(volumes, labels, lesionManifest);
    }

    private async Task FinishAsync(IngestDbContext db, IServiceProvider services, Claim claim, AssemblyResult result, WrittenObjects? written, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var npgsqlTx = (NpgsqlTransaction)tx.GetDbTransaction();
        await using (var check = new NpgsqlCommand("SELECT state, claimed_at, version FROM ingest.studies WHERE id = @id FOR UPDATE", connection, npgsqlTx))
        {
            check.Parameters.AddWithValue("id", claim.StudyId);
            await using var reader = await check.ExecuteReaderAsync(ct);
            var current = await reader.ReadAsync(ct) ? (State: reader.GetString(0), ClaimedAt: reader.IsDBNull(1) ? (DateTime?)null : reader.GetDateTime(1), Version: reader.GetInt32(2)) : default;
            if (current.State != StudyStates.Assembling || current.ClaimedAt != claim.ClaimedAt || current.Version != claim.Version)
            {
                await reader.DisposeAsync();
                await tx.RollbackAsync(ct);
                // Instances arrived while it was assembled (the study is Receiving again) or another sweep took over an expired lease.
                LogSuperseded(logger, PhiSafe.Hash(claim.StudyInstanceUid), claim.Version);
                return;
            }
        }
        foreach (var table in new[] { "phase_decisions", "volumes", "lesions", "study_versions" })
        {
            await using var delete = new NpgsqlCommand($"DELETE FROM ingest.{table} WHERE study_id = @id AND version = @version", connection, npgsqlTx);
            delete.Parameters.AddWithValue("id", claim.StudyId);
            delete.Parameters.AddWithValue("version", claim.Version);
            await delete.ExecuteNonQueryAsync(ct);
        }

        if (result.Assessment is { } assessment)
        {
            var selected = assessment.Selected.Values.ToHashSet();
            db.PhaseDecisions.AddRange(assessment.Decisions.Select(d => new PhaseDecisionRecord
            {
                StudyId = claim.StudyId,
                Version = claim.Version,
                SeriesInstanceUid = d.Series.SeriesInstanceUid,
                TemporalPositionIdentifier = d.Series.TemporalPositionIdentifier,
                SeriesNumber = d.Series.SeriesNumber,
                SeriesDescription = d.Series.SeriesDescription.Length > 64 ? d.Series.SeriesDescription[..64] : d.Series.SeriesDescription,
                Phase = d.Phase?.ToString(),
                Confidence = d.Confidence,
                Reason = d.Reason,
                Selected = selected.Contains(d),
                RulesVersion = assessment.RulesVersion,
            }));
        }
        var now = clock.GetUtcNow();
        var outbox = services.GetRequiredService<IOutbox>();
        string outcome;
        if (written is not null)
        {
            foreach (var (volume, reference) in written.Volumes)
            {
                var g = volume.Volume.Geometry;
                db.Volumes.Add(new VolumeRecord
                {
                    StudyId = claim.StudyId,
                    Version = claim.Version,
                    Phase = volume.Phase.ToString(),
                    SourceSeriesInstanceUid = volume.Decision.Series.SeriesInstanceUid,
                    TemporalPositionIdentifier = volume.Decision.Series.TemporalPositionIdentifier,
                    StorageKey = reference.StorageKey,
                    Sha256 = reference.Sha256,
                    SizeBytes = reference.SizeBytes,
                    MediaType = reference.MediaType,
                    Columns = g.Columns,
                    Rows = g.Rows,
                    Slices = g.Slices,
                    AffineLps = JsonSerializer.Serialize(NiftiWriter.AffineLps(g)),
                    Notes = volume.Notes.Count > 0 ? string.Join("; ", volume.Notes) : null,
                });
            }
            foreach (var lesion in result.Lesions)
            {
                var m = lesion.Measurement;
                db.Lesions.Add(new LesionRecord
                {
                    StudyId = claim.StudyId,
                    Version = claim.Version,
                    LesionNumber = lesion.Number,
                    Source = lesion.Source,
                    SegmentNumber = lesion.SegmentNumber,
                    Label = lesion.Label is { Length: > 64 } l ? l[..64] : lesion.Label,
                    VoxelCount = m.VoxelCount,
                    VolumeMm3 = m.VolumeMm3,
                    LongestDiameterMm = m.LongestDiameterMm,
                    CentreX = m.Centre.X,
                    CentreY = m.Centre.Y,
                    CentreZ = m.Centre.Z,
                    BoxIMin = m.BoxMin.I,
                    BoxJMin = m.BoxMin.J,
                    BoxKMin = m.BoxMin.K,
                    BoxIMax = m.BoxMax.I,
                    BoxJMax = m.BoxMax.J,
                    BoxKMax = m.BoxMax.K,
                    BoxXMin = m.PatientMin.X,
                    BoxYMin = m.PatientMin.Y,
                    BoxZMin = m.PatientMin.Z,
                    BoxXMax = m.PatientMax.X,
                    BoxYMax = m.PatientMax.Y,
                    BoxZMax = m.PatientMax.Z,
                    MaskStorageKey = written.Labels?.StorageKey,
                    MaskSha256 = written.Labels?.Sha256,
                });
            }
            outbox.Enqueue(new StudyIngested(claim.CorrelationId,
                written.Volumes.Select(v => new PhaseVolume(v.Volume.Phase.ToString(), v.Ref)).ToList(), now), claim.CorrelationId);
            outcome = StudyStates.Ingested;
        }
        else
        {
            outbox.Enqueue(new StudyNeedsAttention(claim.CorrelationId, StageName, result.AttentionReason!, now), claim.CorrelationId);
            outcome = StudyStates.NeedsAttention;
        }
        var instanceCount = await db.Instances.CountAsync(i => i.StudyId == claim.StudyId, ct);
        db.StudyVersions.Add(new StudyVersionRecord
        {
            StudyId = claim.StudyId,
            Version = claim.Version,
            CorrelationId = claim.CorrelationId,
            Outcome = outcome,
            Reason = result.AttentionReason,
            InstanceCount = instanceCount,
            CompletedAt = now,
        });
        await using (var update = new NpgsqlCommand(
            "UPDATE ingest.studies SET state = @state, reason = @reason, completed_at = now(), claimed_at = NULL WHERE id = @id", connection, npgsqlTx))
        {
            update.Parameters.AddWithValue("state", outcome);
            update.Parameters.AddWithValue("reason", (object?)result.AttentionReason ?? DBNull.Value);
            update.Parameters.AddWithValue("id", claim.StudyId);
            await update.ExecuteNonQueryAsync(ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        services.GetRequiredService<OutboxSignal>().Notify();

        var hash = PhiSafe.Hash(claim.StudyInstanceUid);
        if (written is not null)
        {
            LogIngested(logger, hash, claim.Version, claim.CorrelationId, string.Join(", ", written.Volumes.Select(v => v.Volume.Phase)), result.Lesions.Count);
        }
        else
        {
            LogNeedsAttention(logger, hash, claim.Version, claim.CorrelationId, result.AttentionReason!);
        }
    }

    [LoggerMessage(EventId = 5030, Level = LogLevel.Information, Message = "Study {StudyHash} version {Version} ({CorrelationId}) is complete with {InstanceCount} instance(s); assembling")]
    private static partial void LogCompleting(ILogger logger, string studyHash, int version, Guid correlationId, int instanceCount);

    [LoggerMessage(EventId = 5031, Level = LogLevel.Information, Message = "Study {StudyHash} version {Version} ({CorrelationId}) ingested: phases {Phases}; {LesionCount} lesion(s)")]
    private static partial void LogIngested(ILogger logger, string studyHash, int version, Guid correlationId, string phases, int lesionCount);

    [LoggerMessage(EventId = 5032, Level = LogLevel.Warning, Message = "Study {StudyHash} version {Version} ({CorrelationId}) needs attention: {Reason}")]
    private static partial void LogNeedsAttention(ILogger logger, string studyHash, int version, Guid correlationId, string reason);

    [LoggerMessage(EventId = 5033, Level = LogLevel.Information, Message = "Study {StudyHash} version {Version} changed while it was assembled; its result is dropped and the study completes again")]
    private static partial void LogSuperseded(ILogger logger, string studyHash, int version);

    [LoggerMessage(EventId = 5035, Level = LogLevel.Error, Message = "Assembling study {StudyHash} failed")]
    private static partial void LogAssemblyFailed(ILogger logger, Exception exception, string studyHash);

    [LoggerMessage(EventId = 5034, Level = LogLevel.Error, Message = "Completion sweep failed; it retries on the next pass")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
