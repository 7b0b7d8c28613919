using LiverFlow.Contracts;
using LiverFlow.Workflow;

namespace LiverFlow.Integration.Tests;

/// <summary>The Workflow host is SIGKILLed (no graceful stop) while messages are in flight, then restarted.</summary>
[Collection(ServicesCollection.Name)]
public sealed class HostCrashTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private WorkflowDatabase Db => system.Database;
    private Neighbours Stages => system.Neighbours;

    [Fact]
    public async Task Host_killed_mid_flow_and_restarted_resumes_every_study()
    {
        await system.Host.EnsureRunningAsync();
        var starts = system.Host.Starts;
        var studies = Enumerable.Range(0, 60).Select(_ => StudyMessagesFor.NewStudy()).ToList();
        var all = studies.Select(s => s.Id).ToList();
        await Task.WhenAll(studies.Select(s => Stages.Publish(s.Received())));
        await Db.WaitForStatesAsync(all.ToDictionary(id => id, _ => WorkflowStates.Receiving), TimeSpan.FromSeconds(30));

        // Kill while the saga is working through a burst; the stages keep publishing while it is down.
        await KillMidBurst(studies, s => s.Ingested(), WorkflowStates.Ingested);
        var latecomers = Enumerable.Range(0, 5).Select(_ => StudyMessagesFor.NewStudy()).ToList();
        await Task.WhenAll(latecomers.Select(s => Stages.Publish(s.Received())));
        await system.Host.StartAsync();

        await Db.WaitForStatesAsync(all.ToDictionary(id => id, _ => WorkflowStates.Ingested), TimeSpan.FromSeconds(30));
        await Db.WaitForStatesAsync(latecomers.ToDictionary(s => s.Id, _ => WorkflowStates.Receiving), TimeSpan.FromSeconds(30));

        await Task.WhenAll(studies.Select(s => Stages.Publish(s.Classified())));
        await Db.WaitForStatesAsync(all.ToDictionary(id => id, _ => WorkflowStates.Classified), TimeSpan.FromSeconds(30));
        await Task.WhenAll(studies.Select(s => Stages.Publish(s.Interpreted())));
        await Db.WaitForStatesAsync(all.ToDictionary(id => id, _ => WorkflowStates.Interpreted), TimeSpan.FromSeconds(30));
        await Task.WhenAll(studies.Select(s => Stages.Publish(s.DraftReport())));
        await Db.WaitForStatesAsync(all.ToDictionary(id => id, _ => WorkflowStates.AwaitingSignOff), TimeSpan.FromSeconds(30));

        // The second kill lands between saga commits and outbox relay passes: StudyWorkflowEnded rows.
        await KillMidBurst(studies, s => s.SignedOff(), WorkflowStates.SignedOff);
        await system.Host.StartAsync();

        var rows = await Db.WaitForStatesAsync(all.ToDictionary(id => id, _ => WorkflowStates.SignedOff), TimeSpan.FromSeconds(30));
        Assert.All(rows.Values, r => Assert.Equal(1, r.Attempt));
        Assert.All(rows.Values, r => Assert.NotNull(r.IngestedAt));
        Assert.Equal(starts + 2, system.Host.Starts);

        // Nothing lost, nothing twice: every ended event was published under one MessageId (a relay
        // crash may re-send it, but never as a different message) and every outbox row is delivered.
        foreach (var id in all)
        {
            var ended = await Stages.Observed.WaitForAsync<StudyWorkflowEnded>(id, 1, TimeSpan.FromSeconds(30));
            Assert.Single(ended.Select(e => e.MessageId).Distinct());
        }
        await StudyWorkflowPathTests.WaitUntil(async () =>
            await Db.ScalarAsync("SELECT count(*) FROM workflow.outbox_messages WHERE dispatched_at IS NULL") == 0, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Outbox_row_committed_before_a_crash_is_published_by_the_relay_after_restart()
    {
        await system.Host.EnsureRunningAsync();
        var study = StudyMessagesFor.NewStudy();
        await Stages.Publish(study.Received());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Receiving);
        await system.Host.KillAsync();

        // What a transaction leaves behind when its process dies after commit and before publishing.
        var rowId = Guid.CreateVersion7();
        var pending = new StudyFlaggedForReview(study.Id, WorkflowStages.Ingest, "Written before the crash, never published.", 1, DateTimeOffset.UtcNow);
        await Db.ExecuteAsync(
            "INSERT INTO workflow.outbox_messages (id, message_type, body, correlation_id, created_at, attempts) VALUES ($1, $2, $3::jsonb, $4, now(), 0)",
            rowId, typeof(StudyFlaggedForReview).FullName!,
            System.Text.Json.JsonSerializer.Serialize(pending, LiverFlow.Messaging.Outbox.MessageTypeRegistry.BodyJson), study.Id);

        await system.Host.StartAsync();

        var delivered = await Stages.Observed.WaitForAsync<StudyFlaggedForReview>(study.Id);
        Assert.Equal(rowId, delivered[0].MessageId);
        Assert.Equal(pending.Reason, delivered[0].Message.Reason);
        await StudyWorkflowPathTests.WaitUntil(async () =>
            await Db.ScalarAsync("SELECT count(*) FROM workflow.outbox_messages WHERE id = $1 AND dispatched_at IS NOT NULL", rowId) == 1);
    }

    [Fact]
    public async Task Message_that_keeps_killing_its_consumer_goes_to_the_error_queue_after_the_delivery_limit()
    {
        await system.Host.EnsureRunningAsync();
        await system.Host.KillAsync();
        var study = StudyMessagesFor.NewStudy();
        await Stages.Publish(study.Received());
        var queue = $"{system.RunPrefix}-wf-{StudyWorkflowDefinition.QueueName}";

        // Five deliveries that were never acknowledged, as if each had crashed the host: the quorum
        // queue counts them in x-delivery-count exactly as it counts a consumer dying mid-message.
        for (var delivery = 0; delivery < 5; delivery++)
        {
            await StudyWorkflowPathTests.WaitUntil(async () =>
                (await system.Rabbit.GetAsync(queue, requeue: true)).Any(m => m.GetProperty("payload").GetString()!.Contains(study.Id.ToString(), StringComparison.Ordinal)));
        }
        await system.Host.StartAsync();

        var errors = new List<System.Text.Json.JsonElement>();
        await StudyWorkflowPathTests.WaitUntil(async () =>
        {
            errors = (await system.Rabbit.PeekAsync(queue + "_error"))
                .Where(m => m.GetProperty("payload").GetString()!.Contains(study.Id.ToString(), StringComparison.Ordinal)).ToList();
            return errors.Count == 1;
        });
        var reason = errors[0].GetProperty("properties").GetProperty("headers").GetProperty("MT-Fault-Message").GetString();
        Assert.Contains("was delivered 6 times (limit 5)", reason, StringComparison.Ordinal);
        Assert.Null(await Db.FindAsync(study.Id));
    }

    /// <summary>
    /// Publishes the first half of a burst, kills the host as soon as one study has committed (the rest
    /// of that half is in flight or queued), then publishes the second half while it is down: whatever
    /// the machine's speed, the kill always interrupts work and messages always arrive during the outage.
    /// </summary>
    private async Task KillMidBurst(IReadOnlyList<StudyMessagesFor> studies, Func<StudyMessagesFor, object> message, string state)
    {
        var ids = studies.Select(s => s.Id).ToArray();
        var half = studies.Count / 2;
        await Task.WhenAll(studies.Take(half).Select(s => Stages.Publish(message(s))));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await Db.ScalarAsync("SELECT count(*) FROM workflow.studies WHERE correlation_id = ANY($1) AND current_state = $2", ids, state) == 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"No study reached {state} within 30 s.");
            await Task.Delay(10);
        }
        await system.Host.KillAsync();
        await Task.WhenAll(studies.Skip(half).Select(s => Stages.Publish(message(s))));
        var moved = await Db.ScalarAsync("SELECT count(*) FROM workflow.studies WHERE correlation_id = ANY($1) AND current_state = $2", ids, state);
        Assert.True(moved <= half, $"{moved} studies reached {state} though only {half} messages were sent before the kill.");
    }
}
