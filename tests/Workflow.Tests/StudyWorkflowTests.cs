using System.Collections.Concurrent;
using LiverFlow.Contracts;
using LiverFlow.Messaging.Outbox;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiverFlow.Workflow.Tests;

/// <summary>
/// The state machine on MassTransit's in-memory bus with the in-memory saga repository: the
/// transitions and what each records, without a broker or database (those are the integration tests).
/// </summary>
public sealed class StudyWorkflowTests : IAsyncLifetime
{
    private static readonly StoredObjectRef Reference = new("studies/x/object.json", new string('c', 64), 42, "application/json");

    private readonly RecordingOutbox _outbox = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly Guid _id = StudyIdentity.CorrelationIdFor($"1.2.826.0.1.3680043.8.498.{Random.Shared.Next(1, int.MaxValue)}");
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private ISagaStateMachineTestHarness<StudyWorkflow, StudyState> _saga = null!;

    public async Task InitializeAsync()
    {
        _provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<IOutbox>(_outbox)
            .AddMassTransitTestHarness(x => x.AddSagaStateMachine<StudyWorkflow, StudyState>().InMemoryRepository())
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        _harness.TestTimeout = TimeSpan.FromSeconds(5);
        await _harness.Start();
        _saga = _harness.GetSagaStateMachineHarness<StudyWorkflow, StudyState>();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task Whole_path_records_each_stage_boundary_the_versions_and_announces_the_end()
    {
        var t0 = _clock.GetUtcNow();
        await Reach(new StudyReceived(_id, "MR_SITE1", 120, Reference, t0), s => s.Receiving);
        await Reach(new StudyIngested(_id, [new PhaseVolume("Arterial", Reference), new PhaseVolume("PortalVenous", Reference)], t0.AddMinutes(1)), s => s.Ingested);
        await Reach(new LesionsClassified(_id, "hamm2019-cnn", "v3", [new LesionClassification(1, "HCC", 0.9)], Reference, t0.AddMinutes(2)), s => s.Classified);
        await Reach(new LesionsInterpreted(_id, "lirads-2018.1", Reference, t0.AddMinutes(3)), s => s.Interpreted);
        await Reach(new DraftReportCreated(_id, "lirads-2018.1", new StoredObjectRef("studies/x/draft.dcm", new string('d', 64), 7, "application/dicom"), t0.AddMinutes(4)), s => s.AwaitingSignOff);
        var study = await Reach(new ReportSignedOff(_id, "reader-7", t0.AddMinutes(9)), s => s.SignedOff);

        Assert.Equal(1, study.Attempt);
        Assert.Equal(t0, study.ReceivedAt);
        Assert.Equal(t0.AddMinutes(1), study.IngestedAt);
        Assert.Equal(t0.AddMinutes(2), study.ClassifiedAt);
        Assert.Equal(t0.AddMinutes(3), study.InterpretedAt);
        Assert.Equal(t0.AddMinutes(4), study.DraftReportCreatedAt);
        Assert.Equal(t0.AddMinutes(9), study.SignedOffAt);
        Assert.Equal(("hamm2019-cnn", "v3", "lirads-2018.1"), (study.ModelId, study.ModelVersion, study.RulesVersion));
        Assert.Equal((2, 1), (study.PhaseCount, study.LesionCount));
        Assert.Equal("studies/x/draft.dcm", study.DraftReportKey);
        var ended = Assert.IsType<StudyWorkflowEnded>(Assert.Single(_outbox.Messages));
        Assert.Equal((WorkflowStates.SignedOff, 1, (string?)null), (ended.Outcome, ended.Attempt, ended.Reason));
    }

    [Fact]
    public async Task Fault_of_a_stage_fails_the_study_with_the_exception_as_reason()
    {
        await DriveToClassified();
        var classified = new LesionsClassified(_id, "m", "1", [], Reference, _clock.GetUtcNow());

        await _harness.Bus.Publish<Fault<LesionsClassified>>(new
        {
            Message = classified,
            FaultId = NewId.NextGuid(),
            Timestamp = DateTime.UtcNow,
            Exceptions = new ExceptionInfo[] { new TestExceptionInfo("System.IO.InvalidDataException", "Saliency map has 0 voxels for lesion 1.") },
        });

        var study = await WaitFor(s => s.Failed);
        Assert.Equal(WorkflowStages.Interpretation, study.ProblemStage);
        Assert.Equal("Interpretation failed: InvalidDataException: Saliency map has 0 voxels for lesion 1.", study.Reason);
        Assert.Equal(1, study.FaultCount);
        var ended = Assert.IsType<StudyWorkflowEnded>(Assert.Single(_outbox.Messages));
        Assert.Equal(WorkflowStates.Failed, ended.Outcome);
        Assert.Equal(study.Reason, ended.Reason);
    }

    [Fact]
    public async Task Event_out_of_order_changes_nothing()
    {
        var before = await Reach(new StudyReceived(_id, "MR1", 5, Reference, _clock.GetUtcNow()), s => s.Receiving);
        var snapshot = Copy(before);

        await Consumed(new LesionsInterpreted(_id, "r", Reference, _clock.GetUtcNow()));
        await Consumed(new ReportSignedOff(_id, "reader", _clock.GetUtcNow()));

        Assert.Equivalent(snapshot, Current(), strict: true);
        Assert.Empty(_outbox.Messages);
    }

    [Fact]
    public async Task Late_events_after_sign_off_and_resends_in_progress_are_ignored()
    {
        await DriveToClassified();
        await Consumed(new StudyReceived(_id, "MR1", 5, Reference, _clock.GetUtcNow()));
        Assert.Equal(1, Current().Attempt);

        await Reach(new LesionsInterpreted(_id, "r", Reference, _clock.GetUtcNow()), s => s.Interpreted);
        await Reach(new DraftReportCreated(_id, "r", Reference, _clock.GetUtcNow()), s => s.AwaitingSignOff);
        var signed = Copy(await Reach(new ReportSignedOff(_id, "reader", _clock.GetUtcNow()), s => s.SignedOff));

        await Consumed(new ReportRejected(_id, "reader-2", "changed my mind", _clock.GetUtcNow()));
        await Consumed(new StudyReceived(_id, "MR1", 5, Reference, _clock.GetUtcNow()));
        await Consumed(new StudyNeedsAttention(_id, "Reporting", "late", _clock.GetUtcNow()));

        Assert.Equivalent(signed, Current(), strict: true);
    }

    [Fact]
    public async Task Timeout_applies_only_to_the_stage_visit_it_measured()
    {
        var receiving = await Reach(new StudyReceived(_id, "MR1", 5, Reference, _clock.GetUtcNow()), s => s.Receiving);
        var visit = receiving.StageStartedAt;

        await Consumed(new StageTimedOut(_id, WorkflowStages.Ingest, visit.AddSeconds(-30), TimeSpan.FromMinutes(15), _clock.GetUtcNow()));
        await Consumed(new StageTimedOut(_id, WorkflowStages.Inference, visit, TimeSpan.FromMinutes(15), _clock.GetUtcNow()));
        Assert.Equal(WorkflowStates.Receiving, Current().CurrentState);

        _clock.Advance(TimeSpan.FromMinutes(16));
        await _harness.Bus.Publish(new StageTimedOut(_id, WorkflowStages.Ingest, visit, TimeSpan.FromMinutes(15), _clock.GetUtcNow()));

        var study = await WaitFor(s => s.NeedsAttention);
        Assert.Equal(1, study.TimeoutCount);
        Assert.Equal(WorkflowStages.Ingest, study.ProblemStage);
        Assert.StartsWith("Ingest did not answer within 00:15:00", study.Reason, StringComparison.Ordinal);
        Assert.Equal(_clock.GetUtcNow(), study.NeedsAttentionAt);
        var flagged = Assert.IsType<StudyFlaggedForReview>(Assert.Single(_outbox.Messages));
        Assert.Equal(study.Reason, flagged.Reason);
    }

    [Fact]
    public async Task Resend_after_failure_starts_a_clean_second_attempt_on_the_same_saga()
    {
        var first = _clock.GetUtcNow();
        await Reach(new StudyReceived(_id, "MR1", 5, Reference, first), s => s.Receiving);
        await Reach(new StudyNeedsAttention(_id, WorkflowStages.Ingest, "No arterial phase.", _clock.GetUtcNow()), s => s.NeedsAttention);

        _clock.Advance(TimeSpan.FromHours(1));
        var study = await Reach(new StudyReceived(_id, "MR1", 6, Reference, _clock.GetUtcNow()), s => s.Receiving);
        while (study.Attempt != 2)
        {
            await Task.Delay(10);
            study = Current();
        }

        Assert.Equal(first, study.FirstReceivedAt);
        Assert.Equal(_clock.GetUtcNow(), study.ReceivedAt);
        Assert.Equal(6, study.InstanceCount);
        Assert.Null(study.Reason);
        Assert.Null(study.ProblemStage);
        Assert.Null(study.NeedsAttentionAt);
        Assert.Single(_saga.Created.Select(x => x.CorrelationId == _id));
    }

    [Theory]
    [InlineData("System.InvalidOperationException", "boom", "Inference failed: InvalidOperationException: boom")]
    [InlineData("LiverFlow.Messaging.PoisonMessageException", "bad study", "Inference failed: PoisonMessageException: bad study")]
    [InlineData("Plain", "no namespace", "Inference failed: Plain: no namespace")]
    public void Fault_reason_names_the_stage_the_exception_type_and_its_message(string type, string message, string expected)
    {
        var fault = new TestFault(new TestExceptionInfo(type, message));
        Assert.Equal(expected, StudyWorkflow.DescribeFault(WorkflowStages.Inference, fault));
    }

    private async Task DriveToClassified()
    {
        await Reach(new StudyReceived(_id, "MR1", 5, Reference, _clock.GetUtcNow()), s => s.Receiving);
        await Reach(new StudyIngested(_id, [], _clock.GetUtcNow()), s => s.Ingested);
        await Reach(new LesionsClassified(_id, "m", "1", [], Reference, _clock.GetUtcNow()), s => s.Classified);
    }

    private async Task<StudyState> Reach<T>(T message, Func<StudyWorkflow, State> state)
        where T : class
    {
        await _harness.Bus.Publish(message);
        return await WaitFor(state);
    }

    private async Task<StudyState> WaitFor(Func<StudyWorkflow, State> state)
    {
        var found = await _saga.Exists(_id, state);
        Assert.True(found.HasValue, $"Study did not reach {state(_saga.StateMachine).Name}; it is {Current().CurrentState}.");
        return Current();
    }

    /// <summary>Publishes and waits until the saga has consumed this very message.</summary>
    private async Task Consumed<T>(T message)
        where T : class
    {
        var messageId = NewId.NextGuid();
        await _harness.Bus.Publish(message, ctx => ctx.MessageId = messageId);
        Assert.True(await _saga.Consumed.Any<T>(m => m.Context.MessageId == messageId), $"The saga did not consume {typeof(T).Name}.");
    }

    private StudyState Current() => _saga.Sagas.Contains(_id) ?? throw new InvalidOperationException("No saga instance.");

    private static StudyState Copy(StudyState s) => (StudyState)typeof(StudyState).GetMethod("MemberwiseClone", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(s, null)!;

    private sealed class RecordingOutbox : IOutbox
    {
        private readonly ConcurrentQueue<object> _messages = new();

        public IReadOnlyList<object> Messages => [.. _messages];

        public void Enqueue<TMessage>(TMessage message, Guid? correlationId)
            where TMessage : class
            => _messages.Enqueue(message);
    }

    private sealed record TestExceptionInfo(string ExceptionType, string Message) : ExceptionInfo
    {
        public ExceptionInfo? InnerException => null;
        public string StackTrace => "";
        public string Source => "";
        public IDictionary<string, object> Data => new Dictionary<string, object>();
    }

    private sealed record TestFault(ExceptionInfo Exception) : Fault<LesionsClassified>
    {
        public Guid FaultId => Guid.Empty;
        public Guid? FaultedMessageId => null;
        public DateTime Timestamp => DateTime.UnixEpoch;
        public ExceptionInfo[] Exceptions => [Exception];
        public HostInfo Host => null!;
        public string[] FaultMessageTypes => [];
        public LesionsClassified Message => null!;
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
