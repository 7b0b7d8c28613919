namespace LiverFlow.Phantom.Cli;

/// <summary>A one-line progress display on stderr (stdout stays clean for scripts).</summary>
public sealed class ProgressBar(string label, int total) : IProgress<int>
{
    private readonly object gate = new();
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private int lastShown = -1;

    public void Report(int value)
    {
        lock (gate)
        {
            var percent = total == 0 ? 100 : value * 100 / total;
            if (percent == lastShown && value != total)
            {
                return;
            }

            lastShown = percent;
            var filled = percent / 5;
            var rate = value / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
            Console.Error.Write(FormattableString.Invariant(
                $"\r{label} [{new string('#', filled)}{new string('.', 20 - filled)}] {value}/{total} ({rate:0.0}/s)"));
            if (value == total)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
