namespace DataEng.Core.Tests.Docs;

/// <summary>Finds the repository (the folder holding DataEng.Core.sln) and its Markdown pages.</summary>
internal static class DocsRepository
{
    public static string Root { get; } = FindRoot();

    public static string DocsFolder => Path.Combine(Root, "docs");

    /// <summary>The pages of docs/ (top level), by file name.</summary>
    public static IReadOnlyList<string> Pages()
        => [.. Directory.GetFiles(DocsFolder, "*.md").Select(static f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataEng.Core.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("DataEng.Core.sln not found above " + AppContext.BaseDirectory);
    }
}
