using LiverFlow.Contracts;
using LiverFlow.Workflow;
using LiverFlow.Workflow.Timeouts;

namespace LiverFlow.Integration.Tests;

/// <summary>The host with a four-second Ingest limit and the Hangfire sweep running every second.</summary>
public sealed class ShortTimeoutWorkflowSystem : WorkflowSystem
{
    protected override IReadOnlyDictionary<string, string> ExtraHostSettings => new Dictionary<string, string>
    {
        ["Workflow__Timeouts__Scheduler"] = "Hangfire",
        ["Workflow__Timeouts__SweepCron"] = "* * * * * *",
        ["Workflow__Timeouts__PollingInterval"] = "00:00:01",
        ["Workflow__Timeouts__Limits__Ingest"] = "00:00:04",
    };
}

[Collection(ServicesCollection.Name)]
public sealed class StageTimeoutTests(ShortTimeoutWorkflowSystem system) : IClassFixture<ShortTimeoutWorkflowSystem>
{
    [Fact]
    public async Task Study_stuck_in_a_stage_is_moved_to_NeedsAttention_by_the_Hangfire_sweep()
    {
        var stuck = StudyMessagesFor.NewStudy();
        var moving = StudyMessagesFor.NewStudy();
        await system.Host.EnsureRunningAsync();
        await system.Neighbours.Publish(stuck.Received());
        await system.Neighbours.Publish(moving.Received());
        // Ingest answers at once for one study (the saga retries it if it overtakes StudyReceived).
        await system.Neighbours.Publish(moving.Ingested());
        await system.Database.WaitForStateAsync(moving.Id, WorkflowStates.Ingested);

        var flagged = await system.Database.WaitForStateAsync(stuck.Id, WorkflowStates.NeedsAttention, TimeSpan.FromSeconds(30));

        Assert.Equal(WorkflowStages.Ingest, flagged.ProblemStage);
        Assert.StartsWith("Ingest did not answer within 00:00:04", flagged.Reason, StringComparison.Ordinal);
        Assert.Equal(1, flagged.TimeoutCount);
        var review = await system.Neighbours.Observed.WaitForAsync<StudyFlaggedForReview>(stuck.Id);
        Assert.Equal(WorkflowStages.Ingest, review[0].Message.Stage);
        // The study that moved on is under Inference's (30-minute) limit and stays where it is.
        Assert.Equal(WorkflowStates.Ingested, (await system.Database.FindAsync(moving.Id))!.CurrentState);
        Assert.Equal(1, await system.Database.ScalarAsync(
            "SELECT count(*) FROM hangfire.hash WHERE key = 'recurring-job:' || $1 AND field = 'Cron'", StageTimeoutJob.RecurringJobId));
    }
}
