using System.Text.RegularExpressions;

namespace DataEng.Core.Tests.Testing;

/// <summary>
/// Keeps code in the docs compiled and true: a Markdown page marks a code block with
/// <c>&lt;!-- snippet: path/to/File.cs#name --&gt;</c> (or a whole file without <c>#name</c>) on the line before it;
/// the block must equal the region between <c>// &lt;snippet:name&gt;</c> and <c>// &lt;/snippet:name&gt;</c> of that
/// compiled (and tested) file, indentation aside.
/// </summary>
public partial class DocsSnippetsTests
{
    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        foreach (var page in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            if (Marker().IsMatch(File.ReadAllText(page)))
            {
                data.Add(Path.GetFileName(page));
            }
        }

        return data;
    }

    public static TheoryData<string> PackageReadmes()
    {
        var data = new TheoryData<string>();
        foreach (var project in Directory.GetDirectories(Path.Combine(Root, "src")).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(project, "README.md")))
            {
                data.Add(Path.GetFileName(project));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void CodeBlocks_MatchTheirCompiledSources(string page) => Check(Path.Combine("docs", page));

    [Theory]
    [MemberData(nameof(PackageReadmes))]
    public void PackageReadme_CSharpBlocks_AreAllCompiledSnippets(string project)
    {
        // A package README is what nuget.org shows: every C# example in it must come from compiled code.
        var page = Path.Combine("src", project, "README.md");
        var text = File.ReadAllText(Path.Combine(Root, page)).ReplaceLineEndings("\n");
        var unmarked = CSharpBlock().Matches(text).Count(block => !Marker().IsMatch(text[..block.Index].TrimEnd().Split('\n')[^1]));
        Assert.True(unmarked == 0, $"{page}: {unmarked} C# block(s) without a '<!-- snippet: ... -->' marker on the line before");
        Check(page);
    }

    private static void Check(string page)
    {
        var text = File.ReadAllText(Path.Combine(Root, page)).ReplaceLineEndings("\n");
        var problems = new List<string>();
        foreach (Match marker in Marker().Matches(text))
        {
            var reference = marker.Groups["path"].Value;
            var region = marker.Groups["region"].Success ? marker.Groups["region"].Value : null;
            var block = CodeBlock().Match(text, marker.Index + marker.Length);
            if (!block.Success || text[(marker.Index + marker.Length)..block.Index].Trim().Length > 0)
            {
                problems.Add($"{reference}: no code block right after the marker");
                continue;
            }

            var source = Path.Combine(Root, reference);
            if (!File.Exists(source))
            {
                problems.Add($"{reference}: file not found");
                continue;
            }

            var expected = Extract(File.ReadAllText(source).ReplaceLineEndings("\n"), region);
            if (expected is null)
            {
                problems.Add($"{reference}: region '{region}' not found");
            }
            else if (Normalize(block.Groups["code"].Value) != Normalize(expected))
            {
                problems.Add($"{reference}: the code block differs from the source; it should read:\n{Normalize(expected)}");
            }
        }

        Assert.True(problems.Count == 0, $"{page}:\n" + string.Join("\n\n", problems));
    }

    private static string? Extract(string source, string? region)
    {
        if (region is null)
        {
            return source;
        }

        var start = source.IndexOf($"// <snippet:{region}>", StringComparison.Ordinal);
        var end = source.IndexOf($"// </snippet:{region}>", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            return null;
        }

        start = source.IndexOf('\n', start) + 1;
        end = source.LastIndexOf('\n', end) + 1;
        return source[start..end];
    }

    private static string Normalize(string code)
    {
        var lines = code.Split('\n').Select(static l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var indent = lines.Where(static l => l.Length > 0).Select(static l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l));
    }

    private static string Root
    {
        get
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

    [GeneratedRegex(@"<!--\s*snippet:\s*(?<path>[^#\s]+)(#(?<region>[\w-]+))?\s*-->")]
    private static partial Regex Marker();

    [GeneratedRegex(@"```[a-z]*\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^```csharp\n.*?^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();
}
