namespace LiverFlow.Ingest.Data;

/// <summary>Where a study is in Ingest. Stored as text so a QA query reads it without a lookup table.</summary>
public static class StudyStates
{
    /// <summary>Instances are arriving; the study completes after the quiet period.</summary>
    public const string Receiving = "Receiving";
    /// <summary>A completion sweep claimed it and is building volumes and lesions.</summary>
    public const string Assembling = "Assembling";
    public const string Ingested = "Ingested";
    public const string NeedsAttention = "NeedsAttention";
}

/// <summary>A patient, known only by a keyed hash of PatientID (+ issuer): no name, id or birth date is stored.</summary>
public sealed class PatientRecord
{
    public long Id { get; set; }
    public required string Pseudonym { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
}

/// <summary>
/// One study and its current version. Instances arriving after completion re-open it as the next
/// version (a new workflow, <see cref="LiverFlow.Contracts.StudyIdentity.CorrelationIdFor"/> with the version as revision).
/// </summary>
public sealed class StudyRecord
{
    public long Id { get; set; }
    public required string StudyInstanceUid { get; set; }
    public long PatientId { get; set; }
    public int Version { get; set; } = 1;
    public Guid CorrelationId { get; set; }
    public required string State { get; set; }
    public string? Reason { get; set; }
    public string? CallingAeTitle { get; set; }
    public int InstanceCount { get; set; }
    public DateTimeOffset FirstInstanceAt { get; set; }
    public DateTimeOffset LastInstanceAt { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public int AssemblyAttempts { get; set; }
}

/// <summary>The outcome of each completed version of a study (the study row only holds the latest).</summary>
public sealed class StudyVersionRecord
{
    public long Id { get; set; }
    public long StudyId { get; set; }
    public int Version { get; set; }
    public Guid CorrelationId { get; set; }
    public required string Outcome { get; set; }
    public string? Reason { get; set; }
    public int InstanceCount { get; set; }
    public DateTimeOffset CompletedAt { get; set; }
}

public sealed class SeriesRecord
{
    public long Id { get; set; }
    public long StudyId { get; set; }
    public required string SeriesInstanceUid { get; set; }
    public string? Modality { get; set; }
    public int? SeriesNumber { get; set; }
    public string? SeriesDescription { get; set; }
    public int InstanceCount { get; set; }
}

/// <summary>One received instance, stored once whatever how often it is sent (unique SOP Instance UID).</summary>
public sealed class InstanceRecord
{
    public long Id { get; set; }
    public required string SopInstanceUid { get; set; }
    public required string SopClassUid { get; set; }
    public long StudyId { get; set; }
    public long SeriesId { get; set; }
    public int? InstanceNumber { get; set; }
    public required string StorageKey { get; set; }
    public required string Sha256 { get; set; }
    public long SizeBytes { get; set; }
    public required string TransferSyntaxUid { get; set; }
    public string? CallingAeTitle { get; set; }
    /// <summary>The study version this instance first arrived in.</summary>
    public int StudyVersion { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>The phase rules' decision on one series (or one temporal position of a multiphase series) of a study version.</summary>
public sealed class PhaseDecisionRecord
{
    public long Id { get; set; }
    public long StudyId { get; set; }
    public int Version { get; set; }
    public required string SeriesInstanceUid { get; set; }
    public int? TemporalPositionIdentifier { get; set; }
    public int? SeriesNumber { get; set; }
    public string? SeriesDescription { get; set; }
    /// <summary>Null for a series that is not a contrast phase (T2, DWI, localizer, CT, ...).</summary>
    public string? Phase { get; set; }
    public double Confidence { get; set; }
    public required string Reason { get; set; }
    /// <summary>Whether this series was chosen as the volume of its phase.</summary>
    public bool Selected { get; set; }
    public required string RulesVersion { get; set; }
}

/// <summary>A phase volume on the common (arterial) grid, in the file store.</summary>
public sealed class VolumeRecord
{
    public long Id { get; set; }
    public long StudyId { get; set; }
    public int Version { get; set; }
    public required string Phase { get; set; }
    public required string SourceSeriesInstanceUid { get; set; }
    public int? TemporalPositionIdentifier { get; set; }
    public required string StorageKey { get; set; }
    public required string Sha256 { get; set; }
    public long SizeBytes { get; set; }
    public required string MediaType { get; set; }
    public int Columns { get; set; }
    public int Rows { get; set; }
    public int Slices { get; set; }
    /// <summary>Voxel index → patient (LPS, mm) as a row-major 4×4 matrix, JSON.</summary>
    public required string AffineLps { get; set; }
    /// <summary>What the slice stacking and resampling noticed (spacing vs thickness, resampled from another grid).</summary>
    public string? Notes { get; set; }
}

/// <summary>One lesion (a SEG segment or a sidecar box) measured on the common grid.</summary>
public sealed class LesionRecord
{
    public long Id { get; set; }
    public long StudyId { get; set; }
    public int Version { get; set; }
    public int LesionNumber { get; set; }
    /// <summary><c>SEG</c> or <c>Sidecar</c>.</summary>
    public required string Source { get; set; }
    public int? SegmentNumber { get; set; }
    public string? Label { get; set; }
    public int VoxelCount { get; set; }
    public double VolumeMm3 { get; set; }
    public double LongestDiameterMm { get; set; }
    public double CentreX { get; set; }
    public double CentreY { get; set; }
    public double CentreZ { get; set; }
    public int BoxIMin { get; set; }
    public int BoxJMin { get; set; }
    public int BoxKMin { get; set; }
    public int BoxIMax { get; set; }
    public int BoxJMax { get; set; }
    public int BoxKMax { get; set; }
    public double BoxXMin { get; set; }
    public double BoxYMin { get; set; }
    public double BoxZMin { get; set; }
    public double BoxXMax { get; set; }
    public double BoxYMax { get; set; }
    public double BoxZMax { get; set; }
    public string? MaskStorageKey { get; set; }
    public string? MaskSha256 { get; set; }
}

/// <summary>An instance Ingest refused (C-STORE failure status or a watch-folder file moved aside), and why.</summary>
public sealed class RejectionRecord
{
    public long Id { get; set; }
    /// <summary><c>dicom</c> (C-STORE) or <c>watch-folder</c>.</summary>
    public required string Source { get; set; }
    public string? CallingAeTitle { get; set; }
    public string? SopInstanceUid { get; set; }
    /// <summary>Hash of the StudyInstanceUID when the data set named one (<see cref="LiverFlow.ServiceDefaults.PhiSafe.Hash"/>).</summary>
    public string? StudyHash { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset RejectedAt { get; set; }
}
