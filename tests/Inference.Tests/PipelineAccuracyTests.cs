using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Inference.Tests.Support;
using LiverFlow.Phantom.Generation;
using LiverFlow.Phantom.Output;

namespace LiverFlow.Inference.Tests;

/// <summary>
/// storescu → Ingest → Inference, both real worker processes on real PostgreSQL and RabbitMQ, on complete
/// phantom studies from the held-out seed range (never trained, validated or used elsewhere in the tests):
/// the predictions must be as accurate as the model card says.
/// </summary>
public sealed class PipelineAccuracyTests
{
    /// <summary>Held-out range (9,000,000–9,999,999), clear of the card's own lesion set at 9,000,000.</summary>
    private const int FirstSeed = 9_500_000;

    private const int Studies = 8;

    [Fact]
    public async Task Held_out_studies_sent_with_storescu_are_classified_as_accurately_as_the_model_card_states()
    {
        var card = Models.ModelPackage.Load(TestModel.Directory).Card;
        var cardAccuracy = card.Raw["evaluation"]?["accuracy"]?.GetValue<double>()
            ?? throw new InvalidOperationException("The model card has no held-out evaluation: run training/evaluate.");

        var folder = TestModel.TempDirectory("heldout-studies");
        var truths = new List<(Guid CorrelationId, Dictionary<int, string> ClassBySegment)>();
        for (var n = 0; n < Studies; n++)
        {
            var directory = PhantomDicomWriter.WriteStudy(PhantomStudyGenerator.Generate(FirstSeed + n), folder);
            using var truth = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "ground-truth.json")));
            var uid = truth.RootElement.GetProperty("study_instance_uid").GetString()!;
            truths.Add((StudyIdentity.CorrelationIdFor(uid, 1), truth.RootElement.GetProperty("lesions").EnumerateArray()
                .ToDictionary(l => l.GetProperty("segment_number").GetInt32(), l => l.GetProperty("class").GetString()!)));
        }

        await using var system = await InferenceSystem.StartAsync(TestModel.Directory);
        await system.StartIngestAsync();
        await system.SendWithStorescuAsync(folder);

        var correct = 0;
        var total = 0;
        var mistakes = new List<string>();
        foreach (var (correlationId, classBySegment) in truths)
        {
            var (_, classified) = (await system.WaitForClassifiedAsync(correlationId, 1, TimeSpan.FromSeconds(180)))[0];
            var segments = await SegmentNumbersAsync(system, correlationId);
            // Every lesion of the SEG was classified (none flagged: phantom lesions lie well inside the liver).
            Assert.Equal(classBySegment.Count, classified.Lesions.Count);
            foreach (var lesion in classified.Lesions)
            {
                var expected = classBySegment[segments[lesion.LesionNumber]];
                total++;
                if (expected == lesion.PredictedClass)
                {
                    correct++;
                }
                else
                {
                    mistakes.Add($"{correlationId} lesion {lesion.LesionNumber}: {expected} classified as {lesion.PredictedClass} ({lesion.Confidence:P0})");
                }
            }
        }

        // "As accurate as the card" for a sample of this size: not below the card's accuracy by more than
        // two binomial standard errors (the seeds are fixed, so the outcome is too: this never flickers).
        var accuracy = (double)correct / total;
        var allowance = 2 * Math.Sqrt(cardAccuracy * (1 - cardAccuracy) / total);
        Assert.True(total >= 16, $"only {total} lesions in {Studies} studies: too few to say anything");
        Assert.True(accuracy >= cardAccuracy - allowance,
            $"{correct}/{total} = {accuracy:P1} correct through the pipeline, the card says {cardAccuracy:P1} (allowance {allowance:P1}):{Environment.NewLine}{string.Join(Environment.NewLine, mistakes)}");
    }

    /// <summary>Ingest's lesion numbering → the SEG's segment numbers, from its own schema in the shared database.</summary>
    private static async Task<Dictionary<int, int>> SegmentNumbersAsync(InferenceSystem system, Guid correlationId)
    {
        await using var db = await system.OpenAsync();
        await using var query = new Npgsql.NpgsqlCommand("""
            SELECT l.lesion_number, l.segment_number FROM ingest.lesions l
            JOIN ingest.studies s ON s.id = l.study_id AND s.version = l.version
            WHERE s.correlation_id = @id
            """, db);
        query.Parameters.AddWithValue("id", correlationId);
        await using var reader = await query.ExecuteReaderAsync();
        var result = new Dictionary<int, int>();
        while (await reader.ReadAsync())
        {
            result[reader.GetInt32(0)] = reader.GetInt32(1);
        }

        return result;
    }
}
