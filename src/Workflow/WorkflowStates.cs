using LiverFlow.Contracts;

namespace LiverFlow.Workflow;

/// <summary>State names as stored in <c>workflow.studies.current_state</c>, and which stage each waits for.</summary>
public static class WorkflowStates
{
    public const string Receiving = nameof(Receiving);
    public const string Ingested = nameof(Ingested);
    public const string Classified = nameof(Classified);
    public const string Interpreted = nameof(Interpreted);
    public const string AwaitingSignOff = nameof(AwaitingSignOff);
    public const string SignedOff = nameof(SignedOff);
    public const string Rejected = nameof(Rejected);
    public const string NeedsAttention = nameof(NeedsAttention);
    public const string Failed = nameof(Failed);

    /// <summary>States in which a stage is working on the study, and which stage that is.</summary>
    public static readonly IReadOnlyDictionary<string, string> StageAwaited = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Receiving] = WorkflowStages.Ingest,
        [Ingested] = WorkflowStages.Inference,
        [Classified] = WorkflowStages.Interpretation,
        [Interpreted] = WorkflowStages.Reporting,
        [AwaitingSignOff] = WorkflowStages.SignOff,
    };

    /// <summary>No event moves a study out of these (a re-send of the study is ignored too).</summary>
    public static bool IsTerminal(string state) => state is SignedOff or Rejected;

    /// <summary>A re-send of the study starts a new attempt from these.</summary>
    public static bool AcceptsResubmission(string state) => state is NeedsAttention or Failed;

    public static string? StageAwaitedIn(string state) => StageAwaited.TryGetValue(state, out var stage) ? stage : null;
}
