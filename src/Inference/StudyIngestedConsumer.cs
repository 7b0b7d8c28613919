using System.Buffers.Binary;
using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Imaging;
using LiverFlow.Inference.Data;
using LiverFlow.Inference.Runtime;
using LiverFlow.Inference.Studies;
using LiverFlow.Messaging.Inbox;
using LiverFlow.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LiverFlow.Inference;

/// <summary>
/// Classifies every lesion of an ingested study. The slow part (reading the volumes by reference, cropping
/// with the shared preprocessing, the batched forward passes) runs before the database transaction, so no
/// transaction stays open while the model works or waits; then the inbox row, the per-lesion results and
/// <see cref="LesionsClassified"/> (through the outbox) commit together. Results are unique per (study,
/// lesion, model hash): a redelivery or a re-sent study adds nothing, and lesions already stored for this
/// model are not run again.
/// </summary>
public sealed partial class StudyIngestedConsumer(
    InferenceDbContext db,
    OutboxSignal signal,
    TimeProvider clock,
    ModelHost models,
    SharedFileStore store,
    IOutbox outbox,
    ILogger<StudyIngestedConsumer> logger)
    : IdempotentConsumer<StudyIngested, InferenceDbContext>(db, signal, clock, logger), IConsumer<StudyIngested>
{
    private readonly LesionPreprocessor _preprocessor = new();
    private Prepared? _prepared;

    /// <summary>Stable name in <c>inference.inbox_messages</c>.</summary>
    protected override string ConsumerName => "inference-study-ingested";

    /// <summary>
    /// Re-implements <see cref="IConsumer{T}.Consume"/> so the model work happens before the base class opens
    /// its transaction (MassTransit calls the consumer through the interface).
    /// </summary>
    public new async Task Consume(ConsumeContext<StudyIngested> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = context.Message;
        // Waits while the model is refused or missing: the message stays unacknowledged, the study waits.
        var model = await models.WaitUntilReadyAsync(context.CancellationToken);
        var done = (await Db.LesionResults.AsNoTracking()
                .Where(r => r.CorrelationId == message.CorrelationId && r.ModelSha256 == model.Sha256)
                .Select(r => r.LesionNumber).ToListAsync(context.CancellationToken))
            .ToHashSet();

        var inputs = StudyInputs.Read(message, store);
        var crops = inputs.MakeCrops(_preprocessor, done);
        var outputs = await Task.WhenAll(crops.Select(c => c.Crop is null
            ? Task.FromResult<LesionOutput?>(null)
            : Classify(model.Batcher, c.Crop, context.CancellationToken)));
        _prepared = new Prepared(model, crops, outputs);
        LogClassified(logger, message.CorrelationId, crops.Count(c => c.Crop is not null), crops.Count(c => c.Crop is null), done.Count, model.Id);
        await base.Consume(context);
    }

    private static async Task<LesionOutput?> Classify(LesionBatcher batcher, LesionCrop crop, CancellationToken ct) => await batcher.ClassifyAsync(crop, ct);

    protected override async Task HandleAsync(ConsumeContext<StudyIngested> context)
    {
        var prepared = _prepared ?? throw new InvalidOperationException("HandleAsync ran before the lesions were classified.");
        var message = context.Message;
        var model = prepared.Model;
        var now = Clock.GetUtcNow();
        var classes = model.Package.Card.Classes;
        for (var n = 0; n < prepared.Inputs.Count; n++)
        {
            var input = prepared.Inputs[n];
            var output = prepared.Outputs[n];
            var record = new LesionResultRecord
            {
                CorrelationId = message.CorrelationId,
                LesionNumber = input.LesionNumber,
                ModelId = model.Id,
                ModelVersion = model.Version,
                ModelSha256 = model.Sha256,
                Outcome = output is null ? LesionOutcomes.Flagged : LesionOutcomes.Classified,
                Reason = input.Problem is { Length: > 1000 } p ? p[..1000] : input.Problem,
                TestTimeAugmentations = model.Batcher.TestTimeAugmentations,
                PreprocessMs = input.PreprocessMs,
                ExecutionProvider = model.Provider,
                CreatedAt = now,
            };
            if (output is not null)
            {
                var best = ResultMath.ArgMax(output.Probabilities);
                record.PredictedClass = classes[best];
                record.Confidence = output.Probabilities[best];
                record.Probabilities = output.Probabilities;
                record.DenseActivations = ResultMath.ToBytes(output.DenseActivations);
                record.BatchSize = output.BatchLesions;
                record.InferenceMs = output.InferenceMs;
            }

            Db.LesionResults.Add(record);
        }

        // The event and the stored document cover every lesion of the study under this model, including
        // those stored by an earlier delivery.
        var all = (await Db.LesionResults.AsNoTracking()
                .Where(r => r.CorrelationId == message.CorrelationId && r.ModelSha256 == model.Sha256)
                .ToListAsync(context.CancellationToken))
            .Concat(Db.ChangeTracker.Entries<LesionResultRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
            .OrderBy(r => r.LesionNumber)
            .ToList();
        var document = store.Write(
            $"studies/{message.CorrelationId}/classification-{model.Id}-{model.Sha256[..12]}.json",
            "application/json",
            JsonSerializer.SerializeToUtf8Bytes(ResultMath.Document(message.CorrelationId, model, classes, all)));
        outbox.Enqueue(new LesionsClassified(
            message.CorrelationId,
            model.Id,
            model.Version,
            all.Where(r => r.Outcome == LesionOutcomes.Classified).Select(r => new LesionClassification(r.LesionNumber, r.PredictedClass!, r.Confidence!.Value)).ToList(),
            document,
            now), message.CorrelationId);
    }

    private sealed record Prepared(ActiveModel Model, IReadOnlyList<LesionInput> Inputs, LesionOutput?[] Outputs);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Study {CorrelationId}: {Classified} lesion(s) classified, {Flagged} flagged, {AlreadyDone} already stored, model {ModelId}")]
    private static partial void LogClassified(ILogger logger, Guid correlationId, int classified, int flagged, int alreadyDone, string modelId);
}

/// <summary>Pure helpers for results: argmax, the compact activation column, the stored document.</summary>
public static class ResultMath
{
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Little-endian float32, whatever the host's byte order, so a reader on any platform decodes it the same.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    public static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 4 != 0)
        {
            throw new ArgumentException($"A float32 column holds a multiple of 4 bytes, got {bytes.Length}.", nameof(bytes));
        }

        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i));
        }

        return values;
    }

    /// <summary>The full classification (the <c>Classification</c> reference of <see cref="LesionsClassified"/>): no PHI, only the pseudonymous study id.</summary>
    internal static object Document(Guid correlationId, ActiveModel model, IReadOnlyList<string> classes, IEnumerable<LesionResultRecord> results) => new
    {
        format = "liverflow-classification/1",
        correlationId,
        model = new { id = model.Id, version = model.Version, sha256 = model.Sha256, demonstrationOnly = model.Package.Card.DemonstrationOnly, provider = model.Provider },
        classes,
        lesions = results.Select(r => new
        {
            lesionNumber = r.LesionNumber,
            outcome = r.Outcome,
            reason = r.Reason,
            predictedClass = r.PredictedClass,
            confidence = r.Confidence,
            probabilities = r.Probabilities,
            denseActivations = r.DenseActivations is null ? null : FromBytes(r.DenseActivations),
            testTimeAugmentations = r.TestTimeAugmentations,
            batchSize = r.BatchSize,
            preprocessMs = r.PreprocessMs,
            inferenceMs = r.InferenceMs,
        }),
    };
}
