using LiverFlow.Contracts;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Messaging;

/// <summary>
/// Opens a log scope with the study's correlation id (never a DICOM identifier) around every consumed
/// message, so each log line of that unit of work, in every service, can be joined on the study.
/// </summary>
public sealed class StudyLogScopeFilter<TMessage>(ILogger<StudyLogScopeFilter<TMessage>> logger) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var correlationId = context.Message is IStudyMessage study ? study.CorrelationId : context.CorrelationId;
        using (logger.BeginScope(new Dictionary<string, object?>
        {
            ["CorrelationId"] = correlationId,
            ["MessageType"] = typeof(TMessage).Name,
            ["MessageId"] = context.MessageId,
        }))
        {
            await next.Send(context);
        }
    }

    public void Probe(ProbeContext context) => context?.CreateFilterScope("studyLogScope");
}
