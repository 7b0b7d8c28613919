namespace LiverFlow.Ingest.Tests.Support;

/// <summary>Where the repository, the shared test data and the tools of this test project are.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string SharedDicom => Path.Combine(RepositoryRoot, "..", "shared", "data", "dicom");

    public static string Tools => Path.Combine(RepositoryRoot, "tests", "Ingest.Tests", "tools");

    public static string Shared(string relative)
    {
        var path = Path.GetFullPath(Path.Combine(SharedDicom, relative));
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"Shared test data '{relative}' is missing under {SharedDicom}: the checkout needs ../shared beside it.", path);
        }
        return path;
    }

    /// <summary>The build configuration this test assembly was built in (Debug or Release), from its own path.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LiverFlow.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No LiverFlow.sln above {AppContext.BaseDirectory}.");
    }

    public static string NewTempDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lf-ingest-{purpose}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(path);
        return path;
    }
}
