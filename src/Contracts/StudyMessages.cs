namespace LiverFlow.Contracts;

/// <summary>
/// What every LiverFlow event carries. The correlation id is the study's pseudonymous id
/// (<see cref="StudyIdentity"/>); no message carries a patient's name, id, birth date or the
/// StudyInstanceUID (see docs/messages.md for the decision).
/// </summary>
public interface IStudyMessage
{
    /// <summary>The study's id, <see cref="StudyIdentity.CorrelationIdFor"/>.</summary>
    Guid CorrelationId { get; }

    /// <summary>When the producer created the event (UTC). Stage timings in the saga use it.</summary>
    DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// Schema version of this contract. Additive changes (a new optional field) keep the number;
    /// a breaking change gets a new type (e.g. <c>StudyIngestedV2</c>) published beside the old one until
    /// every consumer has moved.
    /// </summary>
    int MessageVersion { get; }
}

/// <summary>The pipeline's processing stages, as the saga and timeouts name them.</summary>
public static class WorkflowStages
{
    public const string Ingest = "Ingest";
    public const string Inference = "Inference";
    public const string Interpretation = "Interpretation";
    public const string Reporting = "Reporting";
    public const string SignOff = "SignOff";
}

/// <summary>
/// Ingest's DICOM listener has received a complete study (association released, instances on disk).
/// Starts the study's workflow; a re-send of the same study maps to the same saga.
/// </summary>
/// <param name="ReceivedInstances">Manifest (JSON) of the received instances in the file store.</param>
public sealed record StudyReceived(
    Guid CorrelationId,
    string CallingAeTitle,
    int InstanceCount,
    StoredObjectRef ReceivedInstances,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>Ingest has sorted the study into contrast phases and written one volume per phase.</summary>
/// <param name="Phases">Phase name (e.g. <c>PreContrast</c>, <c>Arterial</c>, <c>PortalVenous</c>, <c>Delayed</c>) and its volume.</param>
public sealed record StudyIngested(
    Guid CorrelationId,
    IReadOnlyList<PhaseVolume> Phases,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>One contrast phase of a study, resampled to the common grid, by reference.</summary>
public sealed record PhaseVolume(string Phase, StoredObjectRef Volume);

/// <summary>
/// A stage cannot go on without a person (e.g. no arterial phase, a lesion outside the liver mask).
/// Not a fault: the data is valid but the case needs review.
/// </summary>
public sealed record StudyNeedsAttention(
    Guid CorrelationId,
    string Stage,
    string Reason,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>Inference has classified every lesion with the 3D CNN.</summary>
/// <param name="ModelId">Identifier of the model package used (e.g. <c>liverflow-demo-hamm2019-v1</c>).</param>
/// <param name="ModelVersion">Version from that package's model card.</param>
/// <param name="Lesions">Class and confidence of every classified lesion; the document in <paramref name="Classification"/> also has the probabilities, dense activations and each flagged lesion with its reason.</param>
public sealed record LesionsClassified(
    Guid CorrelationId,
    string ModelId,
    string ModelVersion,
    IReadOnlyList<LesionClassification> Lesions,
    StoredObjectRef Classification,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>The CNN's call on one lesion (small enough to travel inline).</summary>
/// <param name="LesionNumber">1-based number of the lesion within the study.</param>
/// <param name="PredictedClass">The model card's class code, e.g. <c>hcc</c>, <c>icc</c>, <c>crc_metastasis</c>, <c>cyst</c>, <c>hemangioma</c>, <c>fnh</c>.</param>
public sealed record LesionClassification(int LesionNumber, string PredictedClass, double Confidence);

/// <summary>Interpretation has explained each classification with radiological features.</summary>
/// <param name="RulesVersion">Version of the feature/LI-RADS rules used.</param>
/// <param name="Explanation">Per-lesion features, saliency maps and their references.</param>
public sealed record LesionsInterpreted(
    Guid CorrelationId,
    string RulesVersion,
    StoredObjectRef Explanation,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>Reporting has written the LI-RADS-style draft report; it now waits for a radiologist.</summary>
public sealed record DraftReportCreated(
    Guid CorrelationId,
    string RulesVersion,
    StoredObjectRef DraftReport,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>A radiologist signed the draft off.</summary>
/// <param name="ReaderId">The signing radiologist's staff id (a user, not a patient identifier).</param>
public sealed record ReportSignedOff(
    Guid CorrelationId,
    string ReaderId,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>A radiologist rejected the draft.</summary>
public sealed record ReportRejected(
    Guid CorrelationId,
    string ReaderId,
    string Reason,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>
/// The workflow's timeout sweep found the study in <paramref name="Stage"/> for longer than allowed.
/// <paramref name="StageStartedAt"/> names which visit of the stage timed out, so a late sweep for an
/// earlier attempt is ignored.
/// </summary>
public sealed record StageTimedOut(
    Guid CorrelationId,
    string Stage,
    DateTimeOffset StageStartedAt,
    TimeSpan Limit,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>Published by the workflow when a study enters NeedsAttention (worklists and notifications listen).</summary>
public sealed record StudyFlaggedForReview(
    Guid CorrelationId,
    string Stage,
    string Reason,
    int Attempt,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}

/// <summary>Published by the workflow when a study reaches SignedOff, Rejected or Failed.</summary>
/// <param name="Outcome">The terminal state's name: <c>SignedOff</c>, <c>Rejected</c> or <c>Failed</c>.</param>
public sealed record StudyWorkflowEnded(
    Guid CorrelationId,
    string Outcome,
    string? Reason,
    int Attempt,
    DateTimeOffset CreatedAt) : IStudyMessage
{
    public int MessageVersion { get; init; } = 1;
}
