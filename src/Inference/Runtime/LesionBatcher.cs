using System.Diagnostics;
using System.Threading.Channels;
using LiverFlow.Imaging;
using LiverFlow.Models;

namespace LiverFlow.Inference.Runtime;

/// <summary>One lesion's model output (averaged over the test-time augmentation passes) and how its batch ran.</summary>
public sealed record LesionOutput(float[] Probabilities, float[] DenseActivations, int BatchLesions, double InferenceMs);

/// <summary>
/// Dynamic batching across lesions and studies in front of the process's one model session: a request waits
/// at most <c>maxWait</c> for others; a batch runs when it is full (<c>maxBatch</c> rows) or the wait is over.
/// One loop owns the input and output buffers (sized once for the largest batch) and runs batches one after
/// another: ONNX Runtime already spreads one batch over the intra-op threads, so concurrent runs would only
/// fight for the same cores.
/// </summary>
public sealed class LesionBatcher : IAsyncDisposable
{
    private readonly LesionClassifier _classifier;
    // Not SingleReader: the loop may leave a WaitToReadAsync pending when its deadline wins, which only the
    // multi-reader channel allows alongside the next one.
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = false });
    private readonly int _maxRows;
    private readonly TimeSpan _maxWait;
    private readonly int _passes;
    private readonly float[] _input;
    private readonly float[] _probabilities;
    private readonly float[] _dense;
    private readonly int _classes;
    private readonly Task _loop;

    public LesionBatcher(LesionClassifier classifier, int maxBatch, TimeSpan maxWait, int testTimeAugmentations = 1)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(testTimeAugmentations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(testTimeAugmentations, TestTimeAugmentation.MaxPasses);
        _classifier = classifier;
        _passes = testTimeAugmentations;
        // A lesion's passes always run in one batch, so a batch holds at least one whole lesion.
        _maxRows = Math.Max(maxBatch, testTimeAugmentations);
        _maxWait = maxWait;
        _classes = classifier.Package.Card.Classes.Count;
        _input = new float[_maxRows * LesionCrop.Length];
        _probabilities = new float[_maxRows * _classes];
        _dense = new float[_maxRows * classifier.DenseWidth];
        _loop = Task.Run(RunAsync);
    }

    public LesionClassifier Classifier => _classifier;

    public int TestTimeAugmentations => _passes;

    /// <summary>Batches run so far (for tests and metrics).</summary>
    public long BatchesRun { get; private set; }

    /// <summary>The largest batch run so far, in lesions.</summary>
    public int LargestBatch { get; private set; }

    public Task<LesionOutput> ClassifyAsync(LesionCrop crop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(crop);
        return ClassifyAsync(crop.Data, cancellationToken);
    }

    /// <summary>Queues one crop (3×24×24×12, C order) and completes when its batch has run.</summary>
    public Task<LesionOutput> ClassifyAsync(float[] crop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(crop);
        if (crop.Length != LesionCrop.Length)
        {
            throw new ArgumentException($"A crop holds {LesionCrop.Length} values, got {crop.Length}.", nameof(crop));
        }

        var request = new Request(crop, new TaskCompletionSource<LesionOutput>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_requests.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(LesionBatcher), "The model is shutting down.");
        }

        return request.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var reader = _requests.Reader;
        var batch = new List<Request>(_maxRows);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var rows = 0;
            var deadline = Stopwatch.GetTimestamp() + (long)(_maxWait.TotalSeconds * Stopwatch.Frequency);
            while (rows + _passes <= _maxRows)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    rows += _passes;
                    continue;
                }

                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (batch.Count > 0 && left <= TimeSpan.Zero)
                {
                    break;
                }

                if (batch.Count == 0)
                {
                    if (!await reader.WaitToReadAsync())
                    {
                        break;
                    }

                    continue;
                }

                // Wait for more work or the deadline, whichever comes first.
                var more = reader.WaitToReadAsync().AsTask();
                if (await Task.WhenAny(more, Task.Delay(left)) != more || !await more)
                {
                    break;
                }
            }

            if (batch.Count > 0)
            {
                Run(batch);
            }
        }
    }

    private void Run(List<Request> batch)
    {
        var rows = batch.Count * _passes;
        try
        {
            for (var n = 0; n < batch.Count; n++)
            {
                for (var p = 0; p < _passes; p++)
                {
                    TestTimeAugmentation.Write(batch[n].Crop, p, _input.AsSpan((n * _passes + p) * LesionCrop.Length, LesionCrop.Length));
                }
            }

            var clock = Stopwatch.StartNew();
            _classifier.RunInto(_input, rows, _probabilities, _dense);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            BatchesRun++;
            LargestBatch = Math.Max(LargestBatch, batch.Count);
            var width = _classifier.DenseWidth;
            for (var n = 0; n < batch.Count; n++)
            {
                batch[n].Result.TrySetResult(new LesionOutput(
                    Average(_probabilities, n * _passes, _passes, _classes),
                    Average(_dense, n * _passes, _passes, width),
                    batch.Count,
                    elapsed));
            }
        }
        catch (Exception e)
        {
            // A failed run fails its own requests only; the loop serves the next batch.
            foreach (var request in batch)
            {
                request.Result.TrySetException(e);
            }
        }
    }

    private static float[] Average(float[] rows, int first, int count, int width)
    {
        var result = new float[width];
        for (var r = 0; r < count; r++)
        {
            var row = rows.AsSpan((first + r) * width, width);
            for (var i = 0; i < width; i++)
            {
                result[i] += row[i];
            }
        }

        if (count > 1)
        {
            for (var i = 0; i < width; i++)
            {
                result[i] /= count;
            }
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _loop;
        _classifier.Dispose();
    }

    private sealed record Request(float[] Crop, TaskCompletionSource<LesionOutput> Result);
}
