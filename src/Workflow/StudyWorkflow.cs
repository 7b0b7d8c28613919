using LiverFlow.Contracts;
using LiverFlow.Messaging.Outbox;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Workflow;

/// <summary>
/// The study's path through the pipeline. The stages are choreographed (each reacts to its
/// predecessor's event); this saga observes them, keeps the durable record of where every study is,
/// and is the one place that decides NeedsAttention (a stage asked for review, or timed out) and
/// Failed (a stage's consumer faulted). Events that do not fit the current state (duplicates,
/// stragglers from an earlier attempt, anything after sign-off) change nothing and are logged.
/// The saga's own events go through the workflow schema's outbox, in the saga's transaction.
/// </summary>
public sealed partial class StudyWorkflow : MassTransitStateMachine<StudyState>
{
    public const int MaxReasonLength = 1000;

    private readonly TimeProvider _clock;
    private readonly ILogger<StudyWorkflow> _logger;

    public StudyWorkflow(TimeProvider clock, ILogger<StudyWorkflow> logger)
    {
        _clock = clock;
        _logger = logger;

        InstanceState(x => x.CurrentState);

        // An event for a study the saga has not recorded yet (a stage can fault on StudyReceived before the
        // saga has committed it) is faulted, so the retry policy delivers it again once the row exists.

        Event(() => StudyReceived, e => e.CorrelateById(c => c.Message.CorrelationId));
        Event(() => StudyIngested, e => { e.CorrelateById(c => c.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => LesionsClassified, e => { e.CorrelateById(c => c.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => LesionsInterpreted, e => { e.CorrelateById(c => c.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => DraftReportCreated, e => { e.CorrelateById(c => c.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ReportSignedOff, e => { e.CorrelateById(c => c.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ReportRejected, e => { e.CorrelateById(c => c.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => StudyNeedsAttention, e => { e.CorrelateById(c => c.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => StageTimedOut, e => { e.CorrelateById(c => c.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => IngestFaulted, e => { e.CorrelateById(c => c.Message.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => InferenceFaulted, e => { e.CorrelateById(c => c.Message.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => InterpretationFaulted, e => { e.CorrelateById(c => c.Message.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ReportingFaulted, e => { e.CorrelateById(c => c.Message.Message.CorrelationId); e.OnMissingInstance(m => m.Fault()); });

        Initially(
            When(StudyReceived)
                .Then(c => BeginAttempt(c.Saga, c.Message))
                .TransitionTo(Receiving)
                .Then(c => Touch(c.Saga)));

        // A study sent again after a problem gets a fresh attempt on the same saga row.
        During(NeedsAttention, Failed,
            When(StudyReceived)
                .Then(c => BeginAttempt(c.Saga, c.Message))
                .TransitionTo(Receiving)
                .Then(c => Touch(c.Saga)));

        During(Receiving,
            When(StudyIngested)
                .Then(c =>
                {
                    c.Saga.IngestedAt = c.Message.CreatedAt;
                    c.Saga.PhaseCount = c.Message.Phases.Count;
                })
                .TransitionTo(Ingested)
                .Then(c => Touch(c.Saga)),
            When(IngestFaulted)
                .Then(c => RecordFault(c.Saga, WorkflowStages.Ingest, c.Message))
                .TransitionTo(Failed)
                .Then(AnnounceFailed));

        During(Ingested,
            When(LesionsClassified)
                .Then(c =>
                {
                    c.Saga.ClassifiedAt = c.Message.CreatedAt;
                    c.Saga.ModelId = c.Message.ModelId;
                    c.Saga.ModelVersion = c.Message.ModelVersion;
                    c.Saga.LesionCount = c.Message.Lesions.Count;
                })
                .TransitionTo(Classified)
                .Then(c => Touch(c.Saga)),
            When(InferenceFaulted)
                .Then(c => RecordFault(c.Saga, WorkflowStages.Inference, c.Message))
                .TransitionTo(Failed)
                .Then(AnnounceFailed));

        During(Classified,
            When(LesionsInterpreted)
                .Then(c =>
                {
                    c.Saga.InterpretedAt = c.Message.CreatedAt;
                    c.Saga.RulesVersion = c.Message.RulesVersion;
                })
                .TransitionTo(Interpreted)
                .Then(c => Touch(c.Saga)),
            When(InterpretationFaulted)
                .Then(c => RecordFault(c.Saga, WorkflowStages.Interpretation, c.Message))
                .TransitionTo(Failed)
                .Then(AnnounceFailed));

        During(Interpreted,
            When(DraftReportCreated)
                .Then(c =>
                {
                    c.Saga.DraftReportCreatedAt = c.Message.CreatedAt;
                    c.Saga.DraftReportKey = c.Message.DraftReport.StorageKey;
                    c.Saga.RulesVersion ??= c.Message.RulesVersion;
                })
                .TransitionTo(AwaitingSignOff)
                .Then(c => Touch(c.Saga)),
            When(ReportingFaulted)
                .Then(c => RecordFault(c.Saga, WorkflowStages.Reporting, c.Message))
                .TransitionTo(Failed)
                .Then(AnnounceFailed));

        During(AwaitingSignOff,
            When(ReportSignedOff)
                .Then(c =>
                {
                    c.Saga.SignedOffAt = c.Message.CreatedAt;
                    c.Saga.ReaderId = c.Message.ReaderId;
                    c.Saga.Reason = null;
                })
                .TransitionTo(SignedOff)
                .Then(c =>
                {
                    Touch(c.Saga);
                    Enqueue(c, new StudyWorkflowEnded(c.Saga.CorrelationId, WorkflowStates.SignedOff, null, c.Saga.Attempt, Now()));
                }),
            When(ReportRejected)
                .Then(c =>
                {
                    c.Saga.RejectedAt = c.Message.CreatedAt;
                    c.Saga.ReaderId = c.Message.ReaderId;
                    c.Saga.Reason = Clip(c.Message.Reason);
                })
                .TransitionTo(Rejected)
                .Then(c =>
                {
                    Touch(c.Saga);
                    Enqueue(c, new StudyWorkflowEnded(c.Saga.CorrelationId, WorkflowStates.Rejected, c.Saga.Reason, c.Saga.Attempt, Now()));
                }));

        During([Receiving, Ingested, Classified, Interpreted, AwaitingSignOff],
            When(StudyNeedsAttention)
                .Then(c => RecordAttention(c.Saga, c.Message.Stage, c.Message.Reason))
                .TransitionTo(NeedsAttention)
                .Then(AnnounceNeedsAttention),
            // Only the visit of the stage that the sweep measured: a sweep that raced a transition is stale.
            When(StageTimedOut, c => IsCurrentVisit(c.Saga, c.Message))
                .Then(c =>
                {
                    c.Saga.TimeoutCount++;
                    RecordAttention(c.Saga, c.Message.Stage,
                        $"{c.Message.Stage} did not answer within {c.Message.Limit:c} (waiting since {c.Message.StageStartedAt:u}).");
                })
                .TransitionTo(NeedsAttention)
                .Then(AnnounceNeedsAttention),
            When(StudyReceived)
                .Then(c => LogResubmissionIgnored(_logger, c.Saga.CorrelationId, c.Saga.CurrentState)));

        During(SignedOff, Rejected,
            When(StudyReceived)
                .Then(c => LogLateEventIgnored(_logger, nameof(Contracts.StudyReceived), c.Saga.CorrelationId, c.Saga.CurrentState)));

        OnUnhandledEvent(c =>
        {
            if (WorkflowStates.IsTerminal(c.Saga.CurrentState))
            {
                LogLateEventIgnored(_logger, c.Event.Name, c.Saga.CorrelationId, c.Saga.CurrentState);
            }
            else
            {
                LogOutOfOrderIgnored(_logger, c.Event.Name, c.Saga.CorrelationId, c.Saga.CurrentState);
            }
            return Task.CompletedTask;
        });
    }

    public State Receiving { get; private set; } = null!;
    public State Ingested { get; private set; } = null!;
    public State Classified { get; private set; } = null!;
    public State Interpreted { get; private set; } = null!;
    public State AwaitingSignOff { get; private set; } = null!;
    public State SignedOff { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;
    public State NeedsAttention { get; private set; } = null!;
    public State Failed { get; private set; } = null!;

    public Event<StudyReceived> StudyReceived { get; private set; } = null!;
    public Event<StudyIngested> StudyIngested { get; private set; } = null!;
    public Event<LesionsClassified> LesionsClassified { get; private set; } = null!;
    public Event<LesionsInterpreted> LesionsInterpreted { get; private set; } = null!;
    public Event<DraftReportCreated> DraftReportCreated { get; private set; } = null!;
    public Event<ReportSignedOff> ReportSignedOff { get; private set; } = null!;
    public Event<ReportRejected> ReportRejected { get; private set; } = null!;
    public Event<StudyNeedsAttention> StudyNeedsAttention { get; private set; } = null!;
    public Event<StageTimedOut> StageTimedOut { get; private set; } = null!;
    public Event<Fault<StudyReceived>> IngestFaulted { get; private set; } = null!;
    public Event<Fault<StudyIngested>> InferenceFaulted { get; private set; } = null!;
    public Event<Fault<LesionsClassified>> InterpretationFaulted { get; private set; } = null!;
    public Event<Fault<LesionsInterpreted>> ReportingFaulted { get; private set; } = null!;

    /// <summary>Stage timestamps are truncated to PostgreSQL's microsecond resolution so a value read back compares equal.</summary>
    public static DateTimeOffset ToDatabasePrecision(DateTimeOffset value) => value.AddTicks(-(value.Ticks % 10));

    private DateTimeOffset Now() => ToDatabasePrecision(_clock.GetUtcNow());

    private void Touch(StudyState saga)
    {
        saga.StageStartedAt = Now();
        saga.UpdatedAt = saga.StageStartedAt;
    }

    private void BeginAttempt(StudyState saga, StudyReceived message)
    {
        saga.Attempt++;
        if (saga.Attempt == 1)
        {
            saga.FirstReceivedAt = message.CreatedAt;
        }
        saga.CallingAeTitle = message.CallingAeTitle;
        saga.InstanceCount = message.InstanceCount;
        saga.ReceivedAt = message.CreatedAt;
        // A new attempt's stage boundaries start empty; versions are those of the attempt that produced them.
        saga.IngestedAt = saga.ClassifiedAt = saga.InterpretedAt = saga.DraftReportCreatedAt = null;
        saga.NeedsAttentionAt = saga.FailedAt = null;
        saga.PhaseCount = saga.LesionCount = 0;
        saga.ModelId = saga.ModelVersion = saga.RulesVersion = saga.DraftReportKey = null;
        saga.ProblemStage = saga.Reason = null;
    }

    private static bool IsCurrentVisit(StudyState saga, StageTimedOut timeout)
        => string.Equals(WorkflowStates.StageAwaitedIn(saga.CurrentState), timeout.Stage, StringComparison.Ordinal)
           && ToDatabasePrecision(saga.StageStartedAt) == ToDatabasePrecision(timeout.StageStartedAt);

    private void RecordAttention(StudyState saga, string stage, string reason)
    {
        saga.ProblemStage = stage;
        saga.Reason = Clip(reason);
        saga.NeedsAttentionAt = Now();
        LogNeedsAttention(_logger, saga.CorrelationId, saga.CurrentState, stage, saga.Reason);
    }

    private void AnnounceNeedsAttention(BehaviorContext<StudyState> context)
    {
        var saga = context.Saga;
        Touch(saga);
        Enqueue(context, new StudyFlaggedForReview(saga.CorrelationId, saga.ProblemStage ?? "", saga.Reason ?? "", saga.Attempt, Now()));
    }

    private void RecordFault<TMessage>(StudyState saga, string stage, Fault<TMessage> fault)
        where TMessage : class
    {
        saga.FaultCount++;
        saga.ProblemStage = stage;
        saga.Reason = Clip(DescribeFault(stage, fault));
        saga.FailedAt = Now();
        LogFailed(_logger, saga.CorrelationId, saga.CurrentState, stage, saga.Reason);
    }

    private void AnnounceFailed(BehaviorContext<StudyState> context)
    {
        var saga = context.Saga;
        Touch(saga);
        Enqueue(context, new StudyWorkflowEnded(saga.CorrelationId, WorkflowStates.Failed, saga.Reason, saga.Attempt, Now()));
    }

    /// <summary>"Inference failed: InvalidOperationException: …" from the first exception MassTransit recorded.</summary>
    public static string DescribeFault<TMessage>(string stage, Fault<TMessage> fault)
        where TMessage : class
    {
        ArgumentNullException.ThrowIfNull(fault);
        var exception = fault.Exceptions?.FirstOrDefault();
        if (exception is null)
        {
            return $"{stage} failed without exception details.";
        }
        var type = exception.ExceptionType;
        var shortType = type[(type.LastIndexOf('.') + 1)..];
        return $"{stage} failed: {shortType}: {exception.Message}";
    }

    private static string Clip(string reason) => reason.Length <= MaxReasonLength ? reason : reason[..(MaxReasonLength - 1)] + "…";

    private static void Enqueue<TMessage>(BehaviorContext<StudyState> context, TMessage message)
        where TMessage : class
        => context.GetServiceOrCreateInstance<IOutbox>().Enqueue(message, context.Saga.CorrelationId);

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Study {CorrelationId} re-sent while in {State}; already in progress, ignored")]
    private static partial void LogResubmissionIgnored(ILogger logger, Guid correlationId, string state);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "{Event} for study {CorrelationId} arrived after it ended in {State}; ignored")]
    private static partial void LogLateEventIgnored(ILogger logger, string @event, Guid correlationId, string state);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "{Event} for study {CorrelationId} does not fit state {State} (duplicate or out of order); ignored")]
    private static partial void LogOutOfOrderIgnored(ILogger logger, string @event, Guid correlationId, string state);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Study {CorrelationId} needs attention (was {State}, stage {Stage}): {Reason}")]
    private static partial void LogNeedsAttention(ILogger logger, Guid correlationId, string state, string stage, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Study {CorrelationId} failed (was {State}, stage {Stage}): {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid correlationId, string state, string stage, string reason);
}
