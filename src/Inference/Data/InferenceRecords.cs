namespace LiverFlow.Inference.Data;

/// <summary>What became of one lesion under one model. Stored as text so a QA query reads it directly.</summary>
public static class LesionOutcomes
{
    public const string Classified = "Classified";
    /// <summary>Its crop could not be made (edge of the volume, empty mask, blank phase); <see cref="LesionResultRecord.Reason"/> says why.</summary>
    public const string Flagged = "Flagged";
}

/// <summary>
/// One lesion's result under one model, unique per (study, lesion, model hash): a redelivered or re-sent
/// study never doubles a row, and a new model adds rows beside the old ones.
/// </summary>
public sealed class LesionResultRecord
{
    public long Id { get; set; }
    public Guid CorrelationId { get; set; }
    public int LesionNumber { get; set; }
    public required string ModelId { get; set; }
    public required string ModelVersion { get; set; }
    public required string ModelSha256 { get; set; }
    public required string Outcome { get; set; }
    public string? Reason { get; set; }
    public string? PredictedClass { get; set; }
    public double? Confidence { get; set; }
    /// <summary>Class probabilities in the model card's class order.</summary>
    public float[]? Probabilities { get; set; }
    /// <summary>The dense layer's activations as little-endian float32 (400 bytes for 100 units): compact, read by interpretation.</summary>
    public byte[]? DenseActivations { get; set; }
    public int TestTimeAugmentations { get; set; }
    public int BatchSize { get; set; }
    public double PreprocessMs { get; set; }
    public double InferenceMs { get; set; }
    public required string ExecutionProvider { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// Every model the worker tried to activate, and how it went: the row with the latest <see cref="CheckedAt"/>
/// and <see cref="Accepted"/> is the active model; a refused one keeps its reason for the operator.
/// </summary>
public sealed class ModelActivationRecord
{
    public long Id { get; set; }
    public required string ModelId { get; set; }
    public string? ModelVersion { get; set; }
    public string? ModelSha256 { get; set; }
    public bool Accepted { get; set; }
    public string? Reason { get; set; }
    public required string ExecutionProvider { get; set; }
    public required string Host { get; set; }
    public DateTimeOffset CheckedAt { get; set; }
}
