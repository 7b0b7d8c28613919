using System.Runtime.InteropServices;

namespace LiverFlow.Ingest.Storage;

/// <summary>
/// fsync for files and directories. A renamed file is durable only once both its bytes and the
/// directory entry that names it are on disk; .NET flushes file data (<c>Flush(true)</c>) but has no
/// call for a directory, so it is opened and fsynced through libc.
/// </summary>
internal static partial class Durable
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    public static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Moves a flushed file into place atomically and makes the move itself durable.</summary>
    public static void MoveIntoPlace(string source, string destination)
    {
        File.Move(source, destination, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(destination)!);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
