using LiverFlow.Contracts;
using LiverFlow.Workflow;

namespace LiverFlow.Integration.Tests;

[Collection(ServicesCollection.Name)]
public sealed class StudyWorkflowPathTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private WorkflowDatabase Db => system.Database;
    private Neighbours Stages => system.Neighbours;

    [Fact]
    public async Task Study_walks_every_stage_to_SignedOff_with_stage_times_versions_and_an_ended_event()
    {
        var study = StudyMessagesFor.NewStudy();

        await Stages.Publish(study.Received());
        var receiving = await Db.WaitForStateAsync(study.Id, WorkflowStates.Receiving);
        Assert.Equal(1, receiving.Attempt);
        Assert.Equal(312, receiving.InstanceCount);

        var ingested = study.Ingested();
        await Stages.Publish(ingested);
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Ingested);
        await Stages.Publish(study.Classified());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Classified);
        await Stages.Publish(study.Interpreted());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Interpreted);
        var draft = study.DraftReport();
        await Stages.Publish(draft);
        await Db.WaitForStateAsync(study.Id, WorkflowStates.AwaitingSignOff);
        await Stages.Publish(study.SignedOff());
        var done = await Db.WaitForStateAsync(study.Id, WorkflowStates.SignedOff);

        Assert.Equal(StudyMessagesFor.ModelId, done.ModelId);
        Assert.Equal(StudyMessagesFor.ModelVersion, done.ModelVersion);
        Assert.Equal(StudyMessagesFor.RulesVersion, done.RulesVersion);
        Assert.Equal(3, done.PhaseCount);
        Assert.Equal(2, done.LesionCount);
        Assert.Equal(draft.DraftReport.StorageKey, done.DraftReportKey);
        Assert.Equal("reader-0042", done.ReaderId);
        // Stage boundaries are the producers' event times, stored to the microsecond, in order.
        Assert.Equal(ingested.CreatedAt.UtcTicks / 10, done.IngestedAt!.Value.UtcTicks / 10);
        DateTimeOffset?[] boundaries = [done.ReceivedAt, done.IngestedAt, done.ClassifiedAt, done.InterpretedAt, done.DraftReportCreatedAt, done.SignedOffAt];
        Assert.All(boundaries, b => Assert.NotNull(b));
        Assert.Equal(boundaries.OrderBy(b => b).ToList(), boundaries.ToList());
        Assert.Null(done.Reason);

        // The saga's own event went through its outbox: it arrives with the outbox row's id as MessageId.
        var ended = await Stages.Observed.WaitForAsync<StudyWorkflowEnded>(study.Id);
        Assert.Equal(WorkflowStates.SignedOff, ended[0].Message.Outcome);
        Assert.Equal(1, await Db.ScalarAsync(
            "SELECT count(*) FROM workflow.outbox_messages WHERE id = $1 AND dispatched_at IS NOT NULL", ended[0].MessageId!.Value));
    }

    [Fact]
    public async Task Rejected_draft_ends_in_Rejected_with_the_readers_reason()
    {
        var study = StudyMessagesFor.NewStudy();
        await DriveToAwaitingSignOff(study);

        await Stages.Publish(study.Rejected("Lesion 2 is a vessel, not a cyst."));

        var rejected = await Db.WaitForStateAsync(study.Id, WorkflowStates.Rejected);
        Assert.Equal("Lesion 2 is a vessel, not a cyst.", rejected.Reason);
        Assert.NotNull(rejected.RejectedAt);
        Assert.Null(rejected.SignedOffAt);
    }

    [Fact]
    public async Task Stage_asking_for_review_puts_the_study_in_NeedsAttention_and_a_resend_starts_attempt_two()
    {
        var study = StudyMessagesFor.NewStudy();
        await Stages.Publish(study.Received());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Receiving);

        await Stages.Publish(study.NeedsAttention(WorkflowStages.Ingest, "No arterial phase: 3 of 4 contrast phases found."));

        var flagged = await Db.WaitForStateAsync(study.Id, WorkflowStates.NeedsAttention);
        Assert.Equal(WorkflowStages.Ingest, flagged.ProblemStage);
        Assert.Equal("No arterial phase: 3 of 4 contrast phases found.", flagged.Reason);
        var review = await Stages.Observed.WaitForAsync<StudyFlaggedForReview>(study.Id);
        Assert.Equal(flagged.Reason, review[0].Message.Reason);

        // The modality sends the study again (same StudyInstanceUID, so the same saga).
        await Stages.Publish(study.Received());
        await WaitUntil(async () => (await Db.FindAsync(study.Id))?.Attempt == 2);
        var retry = await Db.WaitForStateAsync(study.Id, WorkflowStates.Receiving);
        Assert.Null(retry.Reason);
        Assert.Null(retry.NeedsAttentionAt);
    }

    [Fact]
    public async Task Poison_study_lands_in_the_error_queue_and_the_saga_shows_Failed_with_the_exception_message()
    {
        var study = StudyMessagesFor.NewStudy();

        await Stages.Publish(study.Received(IngestStandIn.PoisonAeTitle));

        var failed = await Db.WaitForStateAsync(study.Id, WorkflowStates.Failed);
        Assert.Equal(WorkflowStages.Ingest, failed.ProblemStage);
        Assert.Equal($"Ingest failed: PoisonMessageException: {IngestStandIn.PoisonReason}", failed.Reason);
        Assert.Equal(1, failed.FaultCount);
        Assert.NotNull(failed.FailedAt);

        var errorQueue = await Stages.Observed.WaitForAsync<StudyWorkflowEnded>(study.Id)
            .ContinueWith(_ => system.Rabbit.PeekAsync(Stages.IngestErrorQueue), TaskScheduler.Default).Unwrap();
        var poisoned = errorQueue.Where(m => m.GetProperty("payload").GetString()!.Contains(study.Id.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Single(poisoned);
        Assert.Contains(IngestStandIn.PoisonReason, poisoned[0].GetProperty("properties").GetProperty("headers").GetProperty("MT-Fault-Message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_and_redelivered_messages_change_nothing()
    {
        var study = StudyMessagesFor.NewStudy();
        await Stages.Publish(study.Received());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Receiving);
        var ingestedId = Guid.NewGuid();
        await Stages.Publish(study.Ingested(), ingestedId);
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Ingested);
        await Stages.Publish(study.Classified());
        var before = await Db.WaitForStateAsync(study.Id, WorkflowStates.Classified);

        // A broker redelivery (same MessageId), a stage publishing twice (new MessageId), a re-send of the
        // study while it is in progress, and a second classification.
        await Stages.Publish(study.Ingested(), ingestedId);
        var secondIngestId = Guid.NewGuid();
        await Stages.Publish(study.Ingested(), secondIngestId);
        var resendId = Guid.NewGuid();
        await Stages.Publish(study.Received(), resendId);
        var reclassifyId = Guid.NewGuid();
        await Stages.Publish(study.Classified() with { ModelVersion = "sha256:other" }, reclassifyId);

        // Each new MessageId leaves an inbox row once the saga has seen it; the redelivery cannot add one.
        await WaitUntil(async () => await Db.ScalarAsync(
            "SELECT count(*) FROM workflow.inbox_messages WHERE message_id = ANY($1)", new[] { secondIngestId, resendId, reclassifyId }) == 3);
        await Task.Delay(500);
        Assert.Equal(1, await Db.ScalarAsync("SELECT count(*) FROM workflow.inbox_messages WHERE message_id = $1", ingestedId));

        var after = await Db.FindAsync(study.Id);
        Assert.NotNull(after);
        Assert.Equivalent(before, after, strict: true);
    }

    [Fact]
    public async Task Fifty_studies_driven_concurrently_all_end_in_their_expected_state_without_lost_updates()
    {
        // Five outcomes, ten studies each; every event is sent three times at once (new MessageIds) so
        // the copies race for the same saga row, and the first event races to create it.
        string[] outcomes = [WorkflowStates.SignedOff, WorkflowStates.Rejected, WorkflowStates.NeedsAttention, WorkflowStates.Failed, WorkflowStates.AwaitingSignOff];
        var studies = Enumerable.Range(0, 50).Select(i => (Study: StudyMessagesFor.NewStudy(), Outcome: outcomes[i % outcomes.Length])).ToList();

        using var board = new StateBoard(Db, studies.Select(s => s.Study.Id).ToList());
        await Task.WhenAll(studies.Select(s => DriveConcurrently(s.Study, s.Outcome, board)));

        var rows = await Db.WaitForStatesAsync(studies.ToDictionary(s => s.Study.Id, s => s.Outcome), TimeSpan.FromSeconds(60));
        foreach (var (study, outcome) in studies)
        {
            var row = rows[study.Id];
            Assert.Equal(1, row.Attempt); // three racing first events, one saga, one attempt
            Assert.Equal(outcome == WorkflowStates.Failed ? 1 : 0, row.FaultCount);
            if (outcome is WorkflowStates.SignedOff or WorkflowStates.Rejected or WorkflowStates.AwaitingSignOff)
            {
                Assert.NotNull(row.DraftReportCreatedAt);
                Assert.Equal(StudyMessagesFor.ModelId, row.ModelId);
            }
        }
        Assert.Equal(50, await Db.ScalarAsync("SELECT count(*) FROM workflow.studies WHERE correlation_id = ANY($1)", studies.Select(s => s.Study.Id).ToArray()));
    }

    [Fact]
    public async Task Stage_consumer_applies_a_message_once_and_publishes_its_result_through_its_outbox()
    {
        var study = StudyMessagesFor.NewStudy();
        await Stages.Publish(study.Received());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Receiving);
        await Stages.Publish(study.Ingested());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Ingested);
        await Stages.Publish(study.Classified());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Classified);

        // The same message four times at once (a redelivery storm), then once more later.
        var interpreted = new LesionsInterpreted(study.Id, ReportingStandIn.RulesVersion, study.Interpreted().Explanation, DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Stages.Publish(interpreted, messageId)));

        var awaiting = await Db.WaitForStateAsync(study.Id, WorkflowStates.AwaitingSignOff);
        await Stages.Publish(interpreted, messageId);
        await Task.Delay(1000);

        var drafts = await Db.ScalarAsync("SELECT count(*) FROM reporting_probe.drafts WHERE correlation_id = $1", study.Id);
        Assert.Equal(1, drafts);
        Assert.Equal(1, await Db.ScalarAsync("SELECT count(*) FROM reporting_probe.inbox_messages WHERE message_id = $1", messageId));
        Assert.Equal(1, await Db.ScalarAsync(
            "SELECT count(*) FROM reporting_probe.outbox_messages WHERE correlation_id = $1 AND dispatched_at IS NOT NULL", study.Id));
        Assert.Equal(1, await Db.ScalarAsync(
            "SELECT count(*) FROM reporting_probe.drafts WHERE correlation_id = $1 AND storage_key = $2", study.Id, awaiting.DraftReportKey!));
    }

    private async Task DriveConcurrently(StudyMessagesFor study, string outcome, StateBoard board)
    {
        async Task Step(Func<object> message, string expectedState)
        {
            await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Stages.Publish(message())));
            await board.WaitForAsync(study.Id, expectedState, TimeSpan.FromSeconds(45));
        }

        if (outcome == WorkflowStates.Failed)
        {
            await Stages.Publish(study.Received(IngestStandIn.PoisonAeTitle));
            return;
        }
        await Step(() => study.Received(), WorkflowStates.Receiving);
        if (outcome == WorkflowStates.NeedsAttention)
        {
            await Step(() => study.Ingested(), WorkflowStates.Ingested);
            await Step(() => study.NeedsAttention(WorkflowStages.Inference, "Lesion 3 lies outside the liver mask."), WorkflowStates.NeedsAttention);
            return;
        }
        await Step(() => study.Ingested(), WorkflowStates.Ingested);
        await Step(() => study.Classified(), WorkflowStates.Classified);
        await Step(() => study.Interpreted(), WorkflowStates.Interpreted);
        await Step(() => study.DraftReport(), WorkflowStates.AwaitingSignOff);
        if (outcome == WorkflowStates.SignedOff)
        {
            await Step(() => study.SignedOff(), WorkflowStates.SignedOff);
        }
        else if (outcome == WorkflowStates.Rejected)
        {
            await Step(() => study.Rejected("Wrong phase order."), WorkflowStates.Rejected);
        }
    }

    private async Task DriveToAwaitingSignOff(StudyMessagesFor study)
    {
        await Stages.Publish(study.Received());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Receiving);
        await Stages.Publish(study.Ingested());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Ingested);
        await Stages.Publish(study.Classified());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Classified);
        await Stages.Publish(study.Interpreted());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.Interpreted);
        await Stages.Publish(study.DraftReport());
        await Db.WaitForStateAsync(study.Id, WorkflowStates.AwaitingSignOff);
    }

    internal static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Condition not met within {limit}.");
            }
            await Task.Delay(50);
        }
    }
}
