using System.Net;
using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Imaging;
using LiverFlow.Inference.Runtime;
using LiverFlow.Inference.Studies;
using LiverFlow.Inference.Tests.Support;

namespace LiverFlow.Inference.Tests;

/// <summary>The worker process on real PostgreSQL and RabbitMQ, its neighbours played through messages.</summary>
public class InferenceEndToEndTests
{
    [Fact]
    public async Task A_study_is_classified_stored_once_per_lesion_and_model_and_announced_with_flagged_lesions_kept_apart()
    {
        await using var system = await InferenceSystem.StartAsync(TestModel.Directory);
        var study = new SyntheticStudy(system.StorageRoot, [(32, 30, 12, 5.0), (0, 0, 12, 6.0), (44, 46, 8, 3.0)], listedWithoutMask: []);
        var first = Guid.NewGuid();
        await system.PublishAsync(study.Message, first);
        var (_, classified) = (await system.WaitForClassifiedAsync(study.CorrelationId, 1, TimeSpan.FromSeconds(90)))[0];

        var card = Models.ModelPackage.Load(TestModel.Directory).Card;
        Assert.Equal(card.Id, classified.ModelId);
        Assert.Equal(card.Version, classified.ModelVersion);
        // Lesion 2 sits in the volume's corner: flagged, not announced; lesions 1 and 3 proceed.
        Assert.Equal([1, 3], classified.Lesions.Select(l => l.LesionNumber));

        // The announced numbers are the model's on the same crops, run here in the test process.
        var crops = StudyInputs.Read(study.Message, study.Store).MakeCrops(new LesionPreprocessor());
        var model = TestModel.Open();
        await using (model.Batcher)
        {
            foreach (var lesion in classified.Lesions)
            {
                var output = await model.Batcher.ClassifyAsync(crops.Single(c => c.LesionNumber == lesion.LesionNumber).Crop!);
                var best = ResultMath.ArgMax(output.Probabilities);
                Assert.Equal(card.Classes[best], lesion.PredictedClass);
                Assert.Equal(output.Probabilities[best], lesion.Confidence, 5);
            }
        }

        // The full result by reference, proven by its digest.
        var document = study.Store.ReadVerified(classified.Classification);
        using (var json = JsonDocument.Parse(document))
        {
            var lesions = json.RootElement.GetProperty("lesions").EnumerateArray().ToList();
            Assert.Equal(3, lesions.Count);
            Assert.Equal("Flagged", lesions[1].GetProperty("outcome").GetString());
            Assert.Contains("beyond the arterial volume", lesions[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal(100, lesions[0].GetProperty("denseActivations").GetArrayLength());
            Assert.DoesNotContain("PatientName", System.Text.Encoding.UTF8.GetString(document), StringComparison.Ordinal);
        }

        await using (var db = await system.OpenAsync())
        {
            await using var rows = new Npgsql.NpgsqlCommand(
                "SELECT lesion_number, outcome, reason, octet_length(dense_activations), array_length(probabilities, 1), model_sha256, execution_provider FROM inference.lesion_results WHERE correlation_id = @id ORDER BY lesion_number", db);
            rows.Parameters.AddWithValue("id", study.CorrelationId);
            await using var reader = await rows.ExecuteReaderAsync();
            var seen = new List<int>();
            while (await reader.ReadAsync())
            {
                var number = reader.GetInt32(0);
                seen.Add(number);
                Assert.Equal(card.Sha256, reader.GetString(5));
                Assert.Equal(SessionOptionsFactory.Cpu, reader.GetString(6));
                if (number == 2)
                {
                    Assert.Equal("Flagged", reader.GetString(1));
                    Assert.False(reader.IsDBNull(2));
                }
                else
                {
                    Assert.Equal("Classified", reader.GetString(1));
                    Assert.Equal(400, reader.GetInt32(3));
                    Assert.Equal(card.Classes.Count, reader.GetInt32(4));
                }
            }

            Assert.Equal([1, 2, 3], seen);
        }

        // The same message redelivered (same MessageId) and the study re-sent (new MessageId): no row is added.
        await system.PublishAsync(study.Message, first);
        await system.PublishAsync(study.Message, Guid.NewGuid());
        await system.WaitForClassifiedAsync(study.CorrelationId, 2, TimeSpan.FromSeconds(60));
        await Task.Delay(1500);
        Assert.Equal(2, system.Classified.Count(c => c.Message.CorrelationId == study.CorrelationId));
        await using (var db = await system.OpenAsync())
        {
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM inference.lesion_results WHERE correlation_id = @id", db);
            count.Parameters.AddWithValue("id", study.CorrelationId);
            Assert.Equal(3L, (long)(await count.ExecuteScalarAsync())!);
            await using var activation = new Npgsql.NpgsqlCommand("SELECT model_id, accepted FROM inference.model_activations ORDER BY checked_at DESC LIMIT 1", db);
            await using var reader = await activation.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(card.Id, reader.GetString(0));
            Assert.True(reader.GetBoolean(1));
        }

        var (status, body) = await system.ReadinessAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(study.Message.Phases[0].Volume.Sha256, system.LogText, StringComparison.Ordinal);
        _ = body;
    }

    [Fact]
    public async Task With_a_refused_model_the_worker_is_unhealthy_and_studies_wait_until_the_package_is_fixed()
    {
        var package = TestModel.CopyOfPackage();
        var modelPath = Path.Combine(package, "model.onnx");
        var original = await File.ReadAllBytesAsync(modelPath);
        var tampered = (byte[])original.Clone();
        tampered[^100] ^= 0x01;
        await File.WriteAllBytesAsync(modelPath, tampered);

        await using var system = await InferenceSystem.StartAsync(package);
        var (status, body) = await system.ReadinessAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("Unhealthy", body, StringComparison.Ordinal);
        Assert.Contains("refused", system.LogText, StringComparison.Ordinal);

        var study = new SyntheticStudy(system.StorageRoot, (32, 30, 12, 5.0));
        await system.PublishAsync(study.Message, Guid.NewGuid());
        await Task.Delay(3000);
        Assert.Empty(system.Classified);

        // Restored: picked up by the recheck, and the waiting study is classified (nothing was lost or faulted).
        await File.WriteAllBytesAsync(modelPath, original);
        var classified = await system.WaitForClassifiedAsync(study.CorrelationId, 1, TimeSpan.FromSeconds(90));
        Assert.Equal([1], classified[0].Message.Lesions.Select(l => l.LesionNumber));
        Assert.Equal(HttpStatusCode.OK, (await system.ReadinessAsync()).Status);
        await using var db = await system.OpenAsync();
        await using var refused = new Npgsql.NpgsqlCommand("SELECT count(*) FROM inference.model_activations WHERE NOT accepted AND reason LIKE '%SHA-256%'", db);
        Assert.Equal(1L, (long)(await refused.ExecuteScalarAsync())!);
    }
}
