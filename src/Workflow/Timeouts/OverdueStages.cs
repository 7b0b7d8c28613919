using LiverFlow.Contracts;

namespace LiverFlow.Workflow.Timeouts;

/// <summary>Where a study is, as the sweep reads it.</summary>
public sealed record StudyProgress(Guid CorrelationId, string CurrentState, DateTimeOffset StageStartedAt);

/// <summary>Decides which studies have waited too long in their stage. Pure: no clock, no database.</summary>
public static class OverdueStages
{
    public static IReadOnlyList<StageTimedOut> Find(IEnumerable<StudyProgress> studies, IReadOnlyDictionary<string, TimeSpan> limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(studies);
        ArgumentNullException.ThrowIfNull(limits);
        var overdue = new List<StageTimedOut>();
        foreach (var study in studies)
        {
            var stage = WorkflowStates.StageAwaitedIn(study.CurrentState);
            if (stage is null || !limits.TryGetValue(stage, out var limit))
            {
                continue;
            }
            // Strictly longer than the limit: a study exactly at the limit still has its full time.
            if (now - study.StageStartedAt > limit)
            {
                overdue.Add(new StageTimedOut(study.CorrelationId, stage, study.StageStartedAt, limit, now));
            }
        }
        return overdue;
    }

    /// <summary>Rejects limits that would flag every study at once (zero or negative) and names unknown stages.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyDictionary<string, TimeSpan> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var known = WorkflowStates.StageAwaited.Values.ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (stage, limit) in limits)
        {
            if (!known.Contains(stage))
            {
                problems.Add($"Workflow:Timeouts:Limits names unknown stage '{stage}' (known: {string.Join(", ", known.Order(StringComparer.Ordinal))}).");
            }
            if (limit <= TimeSpan.Zero)
            {
                problems.Add($"Workflow:Timeouts:Limits:{stage} must be positive, got {limit}.");
            }
        }
        return problems;
    }
}
