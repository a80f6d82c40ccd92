namespace DataEng.Core.Tests.Docs;

/// <summary>Finds the repository (the folder holding DataEng.Core.sln) and its Markdown pages.</summary>
internal static class DocsRepository
{
    public static string Root { get; } = FindRoot();

    public static string DocsFolder => Path.Combine(Root, "docs");

    /// <summary>The pages of docs/ (top level), by file name.</summary>
    public static IReadOnlyList<string> Pages()
        => [.. Directory.GetFiles(DocsFolder, "*.md").Select(static f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    /// <summary>The package READMEs (<c>src/*/README.md</c>), as paths relative to the root: what nuget.org shows.</summary>
    public static IReadOnlyList<string> PackageReadmes()
        => [.. Directory.GetDirectories(Path.Combine(Root, "src"))
            .Select(static d => Path.Combine(d, "README.md"))
            .Where(File.Exists)
            .Select(static f => Path.GetRelativePath(Root, f))
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// Every Markdown file whose code blocks may be snippets, relative to the root: the repository's README.md, the
    /// docs pages and the package READMEs.
    /// </summary>
    public static IReadOnlyList<string> MarkdownFiles()
        => ["README.md", .. Pages().Select(static p => Path.Combine("docs", p)), .. PackageReadmes()];

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
