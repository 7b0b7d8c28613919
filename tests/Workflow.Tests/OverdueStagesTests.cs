using LiverFlow.Workflow.Timeouts;

namespace LiverFlow.Workflow.Tests;

public sealed class OverdueStagesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, TimeSpan> Limits = new()
    {
        ["Ingest"] = TimeSpan.FromMinutes(15),
        ["Inference"] = TimeSpan.FromMinutes(30),
    };

    [Theory]
    [InlineData(WorkflowStates.Receiving, 16, "Ingest")]
    [InlineData(WorkflowStates.Receiving, 15, null)] // exactly at the limit: still has its time
    [InlineData(WorkflowStates.Receiving, 14, null)]
    [InlineData(WorkflowStates.Ingested, 31, "Inference")]
    [InlineData(WorkflowStates.Ingested, 16, null)]
    [InlineData(WorkflowStates.Classified, 600, null)] // Interpretation has no limit configured
    [InlineData(WorkflowStates.AwaitingSignOff, 6000, null)]
    [InlineData(WorkflowStates.NeedsAttention, 6000, null)] // not a working stage
    [InlineData(WorkflowStates.SignedOff, 6000, null)]
    [InlineData(WorkflowStates.Failed, 6000, null)]
    public void Study_is_overdue_only_past_its_current_stages_limit(string state, int minutesInStage, string? expectedStage)
    {
        var id = Guid.NewGuid();
        var startedAt = Now.AddMinutes(-minutesInStage);

        var overdue = OverdueStages.Find([new StudyProgress(id, state, startedAt)], Limits, Now);

        if (expectedStage is null)
        {
            Assert.Empty(overdue);
            return;
        }
        var timeout = Assert.Single(overdue);
        Assert.Equal(id, timeout.CorrelationId);
        Assert.Equal(expectedStage, timeout.Stage);
        Assert.Equal(startedAt, timeout.StageStartedAt);
        Assert.Equal(Limits[expectedStage], timeout.Limit);
        Assert.Equal(Now, timeout.CreatedAt);
    }

    [Fact]
    public void Limits_with_unknown_stages_or_non_positive_values_are_reported()
    {
        var problems = OverdueStages.Validate(new Dictionary<string, TimeSpan>
        {
            ["Ingest"] = TimeSpan.Zero,
            ["Ingestion"] = TimeSpan.FromMinutes(1),
            ["Reporting"] = TimeSpan.FromMinutes(5),
        });
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("Limits:Ingest must be positive", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("unknown stage 'Ingestion'", StringComparison.Ordinal));
    }
}
