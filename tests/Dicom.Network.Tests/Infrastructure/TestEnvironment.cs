using System.Net;
using System.Net.Sockets;

namespace LiverFlow.Dicom.Network.Tests.Infrastructure;

/// <summary>Paths, ports and scratch folders the network tests share.</summary>
internal static class TestEnvironment
{
    private static readonly Lazy<string> SharedDicom = new(FindSharedDicom);

    /// <summary>../shared/data/dicom next to the folder holding LiverFlow.sln.</summary>
    public static string SharedDicomFolder => SharedDicom.Value;

    public static string SharedFile(string relative)
    {
        var path = Path.Combine(SharedDicomFolder, relative);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Shared test file {relative} is missing under {SharedDicomFolder}.", path);
    }

    /// <summary>A loopback port free right now (the OS picks it; a tiny race remains, acceptable in tests).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static TempFolder NewTempFolder(string purpose) => new(purpose);

    private static string FindSharedDicom()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LiverFlow.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"No LiverFlow.sln above {AppContext.BaseDirectory}; run the tests from the repository checkout.");
        }

        var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "dicom"));
        return Directory.Exists(data)
            ? data
            : throw new InvalidOperationException($"Shared DICOM test data not found at {data} (expected ../shared/data/dicom beside the repository).");
    }
}

/// <summary>A scratch folder deleted with the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string purpose)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "liverflow-net-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A peer process may still hold a file for a moment; the OS temp cleaner gets it later.
        }
    }
}
