using System.Diagnostics;

namespace LiverFlow.Phantom.Tests;

/// <summary>Paths and external tools the tests use; a missing tool fails with the Debian package to install.</summary>
internal static class TestEnvironment
{
    public const string DebianPython = "/usr/bin/python3";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string DemoModelDirectory => Path.Combine(RepositoryRoot, "models", "liverflow-demo-hamm2019-v1");

    public static string TempDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "liverflow-phantom-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static (int ExitCode, string Output) Run(string fileName, IEnumerable<string> arguments, string debianPackage, int timeoutSeconds = 120)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{fileName} is not available ({e.Message}). Install the Debian package '{debianPackage}' (apt-get install {debianPackage}).", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeoutSeconds * 1000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} did not finish within {timeoutSeconds} s.");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }

    /// <summary>Runs Debian's python3 (not the pyenv one first on PATH, which cannot import Debian packages).</summary>
    public static string RunPython(string script, params string[] arguments)
    {
        if (!File.Exists(DebianPython))
        {
            throw new InvalidOperationException($"{DebianPython} is missing: install the Debian packages python3, python3-numpy, python3-torch and python3-pydicom.");
        }

        var (code, output) = Run(DebianPython, [script, .. arguments], "python3-numpy python3-torch python3-pydicom");
        if (code != 0)
        {
            throw new InvalidOperationException($"python3 {Path.GetFileName(script)} failed ({code}): {output}. If a module is missing, install python3-numpy, python3-torch or python3-pydicom.");
        }

        return output;
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LiverFlow.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No LiverFlow.sln above {AppContext.BaseDirectory}.");
    }
}
