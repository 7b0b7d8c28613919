using LiverFlow.Ingest.Lesions;
using Microsoft.Extensions.Options;

namespace LiverFlow.Ingest.Receiving;

/// <summary>
/// For sites without a DICOM route: Part 10 files dropped into <c>Ingest:WatchFolder:Path</c> (any depth)
/// go through the same receiver as C-STORE. A kept file is deleted from the folder; a refused one moves
/// to <c>rejected/</c> beside a <c>.reason.txt</c>. <c>*.lesions.json</c> files are lesion-box sidecars.
/// </summary>
internal sealed partial class WatchFolderService(
    InstanceReceiver receiver,
    LesionSidecarStore sidecars,
    IOptions<IngestOptions> options,
    TimeProvider clock,
    ILogger<WatchFolderService> logger) : BackgroundService
{
    public const string Source = "watch-folder";
    public const string RejectedFolder = "rejected";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.WatchFolder;
        if (string.IsNullOrWhiteSpace(settings.Path))
        {
            return;
        }
        var root = Path.GetFullPath(settings.Path);
        Directory.CreateDirectory(root);
        LogWatching(logger, root);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanOnceAsync(root, settings.MinimumFileAge, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database or disk may be away for a moment; the files stay and the next pass retries.
                LogScanFailed(logger, ex);
            }
            await Task.Delay(settings.PollInterval, clock, stoppingToken);
        }
    }

    internal async Task ScanOnceAsync(string root, TimeSpan minimumAge, CancellationToken cancellationToken)
    {
        var rejected = Path.Combine(root, RejectedFolder);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(rejected + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            // Sidecars after images so a study dropped in one go is found by its boxes.
            .OrderBy(f => f.EndsWith(LesionSidecarStore.FileSuffix, StringComparison.OrdinalIgnoreCase))
            .ThenBy(f => f, StringComparer.Ordinal)
            .ToList();
        var now = clock.GetUtcNow();
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (now - File.GetLastWriteTimeUtc(file) < minimumAge)
            {
                continue;
            }
            if (file.EndsWith(LesionSidecarStore.FileSuffix, StringComparison.OrdinalIgnoreCase))
            {
                var problem = await sidecars.AcceptAsync(file, cancellationToken);
                if (problem is null)
                {
                    File.Delete(file);
                }
                else
                {
                    await receiver.RejectAsync(Source, null, null, null, $"lesion sidecar {Path.GetFileName(file)}: {problem}", cancellationToken);
                    MoveAside(root, file, problem);
                }
                continue;
            }
            var outcome = await receiver.ReceiveAsync(file, null, Source, cancellationToken);
            if (outcome.Result == ReceiveResult.Rejected)
            {
                MoveAside(root, file, outcome.Reason ?? "rejected");
            }
            else if (File.Exists(file))
            {
                File.Delete(file);
            }
        }
    }

    private static void MoveAside(string root, string file, string reason)
    {
        var rejected = Path.Combine(root, RejectedFolder);
        Directory.CreateDirectory(rejected);
        var target = Path.Combine(rejected, Path.GetFileName(file));
        File.Move(file, target, overwrite: true);
        File.WriteAllText(target + ".reason.txt", reason + Environment.NewLine);
    }

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Watching {Folder} for DICOM files and lesion sidecars")]
    private static partial void LogWatching(ILogger logger, string folder);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Watch folder pass failed; files stay for the next pass")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
