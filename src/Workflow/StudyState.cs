using MassTransit;

namespace LiverFlow.Workflow;

/// <summary>
/// One study's progress, one row in <c>workflow.studies</c>. The timestamp columns are the stage
/// boundaries QA dashboards compute turnaround from: Ingest runs from <see cref="ReceivedAt"/> to
/// <see cref="IngestedAt"/>, Inference to <see cref="ClassifiedAt"/>, Interpretation to
/// <see cref="InterpretedAt"/>, Reporting to <see cref="DraftReportCreatedAt"/>, sign-off to
/// <see cref="SignedOffAt"/> or <see cref="RejectedAt"/>. Each is the producing stage's own event time.
/// </summary>
public sealed class StudyState : SagaStateMachineInstance
{
    /// <summary>The study's pseudonymous id (UUIDv5 of its StudyInstanceUID and workflow revision).</summary>
    public Guid CorrelationId { get; set; }

    /// <summary>The saga state's name (Receiving, Ingested, …, SignedOff, Rejected, NeedsAttention, Failed).</summary>
    public string CurrentState { get; set; } = "";

    /// <summary>1 for the first submission; a re-send after NeedsAttention or Failed starts attempt 2, and so on.</summary>
    public int Attempt { get; set; }

    public string? CallingAeTitle { get; set; }

    public int InstanceCount { get; set; }

    /// <summary>First submission of the study (never reset by a re-send; <see cref="ReceivedAt"/> is per attempt).</summary>
    public DateTimeOffset FirstReceivedAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset? IngestedAt { get; set; }

    public DateTimeOffset? ClassifiedAt { get; set; }

    public DateTimeOffset? InterpretedAt { get; set; }

    public DateTimeOffset? DraftReportCreatedAt { get; set; }

    public DateTimeOffset? SignedOffAt { get; set; }

    public DateTimeOffset? RejectedAt { get; set; }

    public DateTimeOffset? NeedsAttentionAt { get; set; }

    public DateTimeOffset? FailedAt { get; set; }

    /// <summary>When the workflow (its own clock) entered the current state; the timeout sweep measures from here.</summary>
    public DateTimeOffset StageStartedAt { get; set; }

    /// <summary>Number of phases Ingest found.</summary>
    public int PhaseCount { get; set; }

    public string? ModelId { get; set; }

    public string? ModelVersion { get; set; }

    public int LesionCount { get; set; }

    /// <summary>Version of the feature/LI-RADS rules used by Interpretation and Reporting.</summary>
    public string? RulesVersion { get; set; }

    /// <summary>Where the draft report is in the file store.</summary>
    public string? DraftReportKey { get; set; }

    /// <summary>The staff id of the radiologist who signed off or rejected.</summary>
    public string? ReaderId { get; set; }

    /// <summary>The stage that asked for attention, faulted or timed out.</summary>
    public string? ProblemStage { get; set; }

    /// <summary>Human-readable reason for NeedsAttention, Failed or Rejected.</summary>
    public string? Reason { get; set; }

    /// <summary>How often a stage faulted for this study (all attempts).</summary>
    public int FaultCount { get; set; }

    /// <summary>How often a stage timed out for this study (all attempts).</summary>
    public int TimeoutCount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
