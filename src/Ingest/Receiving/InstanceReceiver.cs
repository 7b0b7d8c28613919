using System.Security.Cryptography;
using System.Text;
using LiverFlow.Contracts;
using LiverFlow.Dicom;
using LiverFlow.Ingest.Data;
using LiverFlow.Ingest.Storage;
using LiverFlow.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LiverFlow.Ingest.Receiving;

public enum ReceiveResult
{
    Stored,
    /// <summary>The SOP Instance UID was already indexed: nothing changed (a re-send is idempotent).</summary>
    Duplicate,
    Rejected,
}

public sealed record ReceiveOutcome(ReceiveResult Result, string? Reason = null, string? StudyHash = null);

/// <summary>
/// Keeps one received instance: parse, check, store durably under its content address, then index it
/// in schema <c>ingest</c>; only after that commit may the sender be told it succeeded. Both the DICOM
/// listener and the watch folder come through here.
/// </summary>
public sealed partial class InstanceReceiver(FileStore store, NpgsqlDataSource dataSource, IOptions<IngestOptions> options, ILogger<InstanceReceiver> logger)
{
    private readonly byte[] _pseudonymKey = Encoding.UTF8.GetBytes(options.Value.PseudonymKey);

    /// <param name="path">The Part 10 file; moved into the store when it lies in the store's incoming folder, copied otherwise.</param>
    public async Task<ReceiveOutcome> ReceiveAsync(string path, string? callingAeTitle, string source, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        DicomFile file;
        try
        {
            file = DicomFile.Open(bytes);
        }
        catch (Exception ex) when (ex is DicomException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException or FormatException)
        {
            return await RejectAsync(source, callingAeTitle, null, null, $"the file is not a readable DICOM data set: {ex.Message}", cancellationToken);
        }
        var dataset = file.Dataset;
        var (identity, problem) = InstanceCheck.Inspect(dataset);
        if (identity is null)
        {
            var sop = dataset.TryGetString(DicomTag.SOPInstanceUID, out var s) ? s.Trim() : null;
            var study = dataset.TryGetString(DicomTag.StudyInstanceUID, out var st) ? PhiSafe.Hash(st.Trim()) : null;
            return await RejectAsync(source, callingAeTitle, sop, study, problem!, cancellationToken);
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var owned = Path.GetFullPath(path).StartsWith(store.IncomingDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        var tempPath = path;
        if (!owned)
        {
            tempPath = Path.Combine(store.IncomingDirectory, $"{Guid.NewGuid():N}.part");
            await File.WriteAllBytesAsync(tempPath, bytes, cancellationToken);
        }
        var key = store.KeepInstance(tempPath, sha);
        var transferSyntax = file.FileMetaInfo.TransferSyntax.UID.UID;

        var stored = await IndexAsync(identity, key, sha, bytes.LongLength, transferSyntax, callingAeTitle, cancellationToken);
        var studyHash = PhiSafe.Hash(identity.StudyInstanceUid);
        if (stored)
        {
            LogStored(logger, PhiSafe.Hash(identity.SopInstanceUid), studyHash, source);
            return new ReceiveOutcome(ReceiveResult.Stored, null, studyHash);
        }
        LogDuplicate(logger, PhiSafe.Hash(identity.SopInstanceUid), studyHash);
        return new ReceiveOutcome(ReceiveResult.Duplicate, null, studyHash);
    }

    public string Pseudonym(string patientId, string issuer)
    {
        var text = Encoding.UTF8.GetBytes($"{issuer}|{patientId}");
        return Convert.ToHexStringLower(_pseudonymKey.Length > 0 ? HMACSHA256.HashData(_pseudonymKey, text) : SHA256.HashData(text));
    }

    /// <summary>
    /// Indexes in one transaction and three round trips (they, not the disk, dominate under load):
    /// upsert patient, study and series and lock the study row; insert the instance and, only when it
    /// is new, count it and restart the study's quiet period; commit.
    /// </summary>
    private async Task<bool> IndexAsync(InstanceIdentity id, string key, string sha, long size, string transferSyntax, string? callingAe,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var ae = (object?)callingAe ?? DBNull.Value;
        var pseudonym = Pseudonym(id.PatientId, id.IssuerOfPatientId);

        long studyId, seriesId;
        int version;
        string state;
        await using (var upsert = new NpgsqlBatch(connection, tx))
        {
            // Each statement of a batch takes a fresh snapshot (READ COMMITTED), so a row that a concurrent
            // association inserted first is visible to the statements after its ON CONFLICT DO NOTHING.
            upsert.BatchCommands.Add(Command("INSERT INTO ingest.patients (pseudonym, first_seen_at) VALUES (@p, now()) ON CONFLICT (pseudonym) DO NOTHING",
                ("p", pseudonym)));
            upsert.BatchCommands.Add(Command("""
                INSERT INTO ingest.studies (study_instance_uid, patient_id, version, correlation_id, state, calling_ae_title, instance_count,
                    first_instance_at, last_instance_at, assembly_attempts)
                VALUES (@uid, (SELECT id FROM ingest.patients WHERE pseudonym = @p), 1, @cid, 'Receiving', @ae, 0, now(), now(), 0)
                ON CONFLICT (study_instance_uid) DO NOTHING
                """, ("uid", id.StudyInstanceUid), ("p", pseudonym), ("cid", StudyIdentity.CorrelationIdFor(id.StudyInstanceUid, 1)), ("ae", ae)));
            // Lock the study before the series insert: that insert's foreign-key check takes a KEY SHARE
            // lock on the study row, and two associations holding it while both wait for FOR UPDATE deadlock.
            upsert.BatchCommands.Add(Command("SELECT 1 FROM ingest.studies WHERE study_instance_uid = @uid FOR UPDATE", ("uid", id.StudyInstanceUid)));
            upsert.BatchCommands.Add(Command("""
                INSERT INTO ingest.series (study_id, series_instance_uid, modality, series_number, series_description, instance_count)
                VALUES ((SELECT id FROM ingest.studies WHERE study_instance_uid = @uid), @s, @modality, @number, @description, 0)
                ON CONFLICT (series_instance_uid) DO NOTHING
                """, ("uid", id.StudyInstanceUid), ("s", id.SeriesInstanceUid), ("modality", id.Modality.Length > 16 ? id.Modality[..16] : id.Modality),
                ("number", (object?)id.SeriesNumber ?? DBNull.Value), ("description", id.SeriesDescription)));
            upsert.BatchCommands.Add(Command("""
                SELECT st.id, st.version, st.state, se.id FROM ingest.studies st, ingest.series se
                WHERE st.study_instance_uid = @uid AND se.series_instance_uid = @s
                """, ("uid", id.StudyInstanceUid), ("s", id.SeriesInstanceUid)));
            await using var reader = await upsert.ExecuteReaderAsync(cancellationToken);
            (long, int, string, long)? row = null;
            do
            {
                if (reader.FieldCount == 4 && await reader.ReadAsync(cancellationToken))
                {
                    row = (reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt64(3));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
            (studyId, version, state, seriesId) = row ?? throw new InvalidOperationException("study or series row missing right after its upsert");
        }

        var reopen = state is StudyStates.Ingested or StudyStates.NeedsAttention;
        var newVersion = reopen ? version + 1 : version;
        long inserted;
        await using (var record = new NpgsqlCommand("""
            WITH ins AS (
                INSERT INTO ingest.instances (sop_instance_uid, sop_class_uid, study_id, series_id, instance_number, storage_key, sha256, size_bytes,
                    transfer_syntax_uid, calling_ae_title, study_version, received_at)
                VALUES (@sop, @class, @study, @series, @number, @key, @sha, @size, @ts, @ae, @version, now())
                ON CONFLICT (sop_instance_uid) DO NOTHING RETURNING id),
            study AS (
                UPDATE ingest.studies SET version = @version, correlation_id = @cid, state = 'Receiving',
                    reason = CASE WHEN @reopen THEN NULL ELSE reason END,
                    instance_count = instance_count + 1, last_instance_at = now(),
                    calling_ae_title = COALESCE(@ae, calling_ae_title)
                WHERE id = @study AND EXISTS (SELECT 1 FROM ins) RETURNING id),
            series AS (
                UPDATE ingest.series SET instance_count = instance_count + 1 WHERE id = @series AND EXISTS (SELECT 1 FROM ins) RETURNING id)
            SELECT count(*) FROM ins
            """, connection, tx))
        {
            // A new instance keeps (or puts) the study in Receiving and restarts its quiet period. After
            // completion it re-opens the study as the next version: a new workflow with its own correlation id.
            foreach (var (name, value) in new (string, object)[]
            {
                ("sop", id.SopInstanceUid), ("class", id.SopClassUid), ("study", studyId), ("series", seriesId),
                ("number", (object?)id.InstanceNumber ?? DBNull.Value), ("key", key), ("sha", sha), ("size", size), ("ts", transferSyntax),
                ("ae", ae), ("version", newVersion), ("cid", StudyIdentity.CorrelationIdFor(id.StudyInstanceUid, newVersion)), ("reopen", reopen),
            })
            {
                record.Parameters.AddWithValue(name, value);
            }
            inserted = (long)(await record.ExecuteScalarAsync(cancellationToken))!;
        }
        if (inserted == 0)
        {
            await tx.RollbackAsync(cancellationToken);
            return false;
        }
        await tx.CommitAsync(cancellationToken);
        if (reopen)
        {
            LogReopened(logger, PhiSafe.Hash(id.StudyInstanceUid), newVersion);
        }
        return true;
    }

    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    /// <summary>Records a refusal where a QA query finds it, logs it without patient data, and says why.</summary>
    public async Task<ReceiveOutcome> RejectAsync(string source, string? callingAe, string? sopInstanceUid, string? studyHash, string reason, CancellationToken ct)
    {
        LogRejected(logger, source, callingAe ?? "(none)", PhiSafe.Hash(sopInstanceUid), reason);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("""
            INSERT INTO ingest.rejections (source, calling_ae_title, sop_instance_uid, study_hash, reason, rejected_at)
            VALUES (@source, @ae, @sop, @study, @reason, now())
            """, connection);
        command.Parameters.AddWithValue("source", source);
        command.Parameters.AddWithValue("ae", (object?)callingAe ?? DBNull.Value);
        command.Parameters.AddWithValue("sop", (object?)(sopInstanceUid is { Length: <= 64 } ? sopInstanceUid : null) ?? DBNull.Value);
        command.Parameters.AddWithValue("study", (object?)studyHash ?? DBNull.Value);
        command.Parameters.AddWithValue("reason", reason);
        await command.ExecuteNonQueryAsync(ct);
        return new ReceiveOutcome(ReceiveResult.Rejected, reason, studyHash);
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "Stored instance {InstanceHash} of study {StudyHash} from {Source}")]
    private static partial void LogStored(ILogger logger, string instanceHash, string studyHash, string source);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Instance {InstanceHash} of study {StudyHash} was already stored; re-send acknowledged without change")]
    private static partial void LogDuplicate(ILogger logger, string instanceHash, string studyHash);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Rejected an instance from {Source} (calling AE {CallingAe}, instance {InstanceHash}): {Reason}")]
    private static partial void LogRejected(ILogger logger, string source, string callingAe, string instanceHash, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Study {StudyHash} received a new instance after completion: re-opened as version {Version}")]
    private static partial void LogReopened(ILogger logger, string studyHash, int version);
}
