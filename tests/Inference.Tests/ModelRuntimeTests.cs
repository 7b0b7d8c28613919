using LiverFlow.Imaging;
using LiverFlow.Inference.Runtime;
using LiverFlow.Inference.Tests.Support;
using LiverFlow.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LiverFlow.Inference.Tests;

public class ModelRuntimeTests
{
    private static float[] RandomCrop(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, LesionCrop.Length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));

    [Fact]
    public async Task Batched_results_equal_one_lesion_at_a_time_and_concurrent_lesions_share_batches()
    {
        var crops = Enumerable.Range(0, 12).Select(RandomCrop).ToList();
        var model = TestModel.Open(TestModel.Options(maxBatch: 8, waitMs: 200));
        await using (model.Batcher)
        {
            var singles = new List<LesionOutput>();
            foreach (var crop in crops)
            {
                singles.Add(await model.Batcher.ClassifyAsync(crop));
            }

            Assert.Equal(1, model.Batcher.LargestBatch);
            var batched = await Task.WhenAll(crops.Select(c => model.Batcher.ClassifyAsync(c)));
            // 12 lesions arriving together with a 200 ms wait: a full batch of 8, then the other 4.
            Assert.Equal(8, model.Batcher.LargestBatch);
            Assert.Equal(12 + 2, model.Batcher.BatchesRun);
            for (var n = 0; n < crops.Count; n++)
            {
                Assert.True(MaxDifference(singles[n].Probabilities, batched[n].Probabilities) < 1e-5, $"lesion {n} probabilities differ");
                Assert.True(MaxDifference(singles[n].DenseActivations, batched[n].DenseActivations) < 1e-4, $"lesion {n} activations differ");
                Assert.InRange(batched[n].Probabilities.Sum(), 0.999f, 1.001f);
                Assert.Equal(model.Batcher.Classifier.DenseWidth, batched[n].DenseActivations.Length);
            }

            // The reused-buffer path gives what the classifier's own allocating path gives.
            var reference = model.Batcher.Classifier.Classify(crops[3], 1)[0];
            Assert.True(MaxDifference(reference.Probabilities, batched[3].Probabilities) < 1e-5);
        }
    }

    [Fact]
    public async Task A_lone_lesion_runs_after_the_maximum_wait_without_waiting_for_a_full_batch()
    {
        var model = TestModel.Open(TestModel.Options(maxBatch: 32, waitMs: 50));
        await using (model.Batcher)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var output = await model.Batcher.ClassifyAsync(RandomCrop(1)).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, output.BatchLesions);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(45), $"ran after {clock.Elapsed.TotalMilliseconds} ms, before the 50 ms wait");
        }
    }

    [Fact]
    public async Task Test_time_augmentation_averages_the_flipped_passes()
    {
        var crop = RandomCrop(5);
        var plain = TestModel.Open(TestModel.Options(passes: 1));
        var augmented = TestModel.Open(TestModel.Options(passes: 2));
        await using (plain.Batcher)
        await using (augmented.Batcher)
        {
            var flipped = new float[LesionCrop.Length];
            TestTimeAugmentation.Write(crop, 1, flipped);
            var a = await plain.Batcher.ClassifyAsync(crop);
            var b = await plain.Batcher.ClassifyAsync(flipped);
            var both = await augmented.Batcher.ClassifyAsync(crop);
            var expected = a.Probabilities.Zip(b.Probabilities).Select(p => (p.First + p.Second) / 2).ToArray();
            Assert.True(MaxDifference(expected, both.Probabilities) < 1e-5);
            var expectedDense = a.DenseActivations.Zip(b.DenseActivations).Select(p => (p.First + p.Second) / 2).ToArray();
            Assert.True(MaxDifference(expectedDense, both.DenseActivations) < 1e-4);
        }
    }

    [Fact]
    public async Task Asking_for_cuda_where_it_cannot_load_runs_on_cpu_with_one_warning()
    {
        var logger = new CapturingLogger<ModelHost>();
        var options = TestModel.Options(provider: ExecutionProviderKind.Cuda);
        var host = new ModelHost(Options.Create(options), new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(), logger);
        await host.StartAsync(CancellationToken.None);
        try
        {
            var model = await host.WaitUntilReadyAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            var health = await host.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Healthy, health.Status);
            Assert.Contains(model.Provider, health.Description, StringComparison.Ordinal);
            var fallbacks = logger.Entries.Where(e => e.Id.Id == 6001).ToList();
            if (model.Provider == SessionOptionsFactory.Cpu)
            {
                // This machine has no CUDA libraries (or no GPU): the worker runs, on CPU, and says so once.
                var warning = Assert.Single(fallbacks);
                Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
                Assert.Contains("running on CPU", warning.Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Empty(fallbacks);
            }

            Assert.Contains(logger.Entries, e => e.Id.Id == 6000 && e.Message.Contains($"active on {model.Provider}", StringComparison.Ordinal));
            var output = await model.Batcher.ClassifyAsync(RandomCrop(2));
            Assert.InRange(output.Probabilities.Sum(), 0.999f, 1.001f);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_tampered_model_is_refused_the_worker_is_unhealthy_and_a_restored_package_is_served_without_restart()
    {
        var package = TestModel.CopyOfPackage();
        var modelPath = Path.Combine(package, "model.onnx");
        var original = await File.ReadAllBytesAsync(modelPath);
        var tampered = (byte[])original.Clone();
        tampered[^100] ^= 0x01;
        await File.WriteAllBytesAsync(modelPath, tampered);

        var logger = new CapturingLogger<ModelHost>();
        var options = TestModel.Options();
        options.ModelsDirectory = Path.GetDirectoryName(package)!;
        var host = new ModelHost(Options.Create(options), new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(), logger);
        await host.StartAsync(CancellationToken.None);
        try
        {
            var waiting = host.WaitUntilReadyAsync(CancellationToken.None);
            await WaitForAsync(() => logger.Entries.Any(e => e.Id.Id == 6002));
            Assert.False(waiting.IsCompleted);
            var health = await host.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Unhealthy, health.Status);
            Assert.Contains("SHA-256", health.Description, StringComparison.Ordinal);
            Assert.Contains("refused", health.Description, StringComparison.Ordinal);

            await File.WriteAllBytesAsync(modelPath, original);
            var model = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HealthStatus.Healthy, (await host.CheckHealthAsync(new HealthCheckContext())).Status);
            Assert.Equal(ModelPackage.Sha256Of(modelPath), model.Sha256);
            // One error for the one reason, however many rechecks happened while it was refused.
            Assert.Single(logger.Entries, e => e.Id.Id == 6002);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void A_missing_model_folder_is_refused_with_its_path()
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelHost.Open(Path.Combine(TestModel.TempDirectory("none"), "no-such-model"), TestModel.Options(), out _));
        Assert.Contains("no-such-model", e.Message, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "condition not met within 30 s");
            await Task.Delay(50);
        }
    }
}
