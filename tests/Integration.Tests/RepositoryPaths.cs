namespace LiverFlow.Integration.Tests;

internal static class RepositoryPaths
{
    /// <summary>The folder holding LiverFlow.sln, found by walking up from the test assembly.</summary>
    public static string Root()
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

    /// <summary>
    /// The built Workflow host, from the same configuration as this test assembly (bin/Debug or bin/Release).
    /// The test project references it, so it is always built before the tests run.
    /// </summary>
    public static string WorkflowHostDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
        var dll = Path.Combine(Root(), "src", "Workflow", "bin", configuration, "net10.0", "LiverFlow.Workflow.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The Workflow host is not built at {dll}; run `dotnet build tests/Integration.Tests -c {configuration}`.");
        }
        return dll;
    }
}
