using System.Text;
using System.Text.RegularExpressions;

namespace DataEng.Core.Tests.Docs;

/// <summary>
/// Code in the docs compiles: a page (docs/*.md or a package README) shows C# only as a copy of a region of a compiled
/// file. The marker
/// <c>&lt;!-- snippet: docs/snippets/File.cs#name --&gt;</c> on the line before a code block names the region between
/// <c>// &lt;snippet:name&gt;</c> and <c>// &lt;/snippet:name&gt;</c> (or, without <c>#name</c>, the whole file).
/// Every C# block in README.md, docs/*.md and the package READMEs must be marked.
/// A block that differs from its region fails here; <c>DATAENG_UPDATE_SNIPPETS=1 dotnet test --filter DocSnippetsTests</c>
/// rewrites every marked block from its source instead (then review the diff).
/// </summary>
public sealed partial class DocSnippetsTests
{
    private static bool Update => Environment.GetEnvironmentVariable("DATAENG_UPDATE_SNIPPETS") is "1" or "true";

    [Fact]
    public void MarkedCodeBlocks_EqualTheirCompiledRegions()
    {
        var problems = new List<string>();
        foreach (var page in DocsRepository.MarkdownFiles())
        {
            var path = Path.Combine(DocsRepository.Root, page);
            var text = File.ReadAllText(path).ReplaceLineEndings("\n");
            var rewritten = new StringBuilder();
            var last = 0;
            foreach (Match marker in Marker().Matches(text))
            {
                var reference = marker.Groups["path"].Value;
                var region = marker.Groups["region"].Success ? marker.Groups["region"].Value : null;
                var block = CodeBlock().Match(text, marker.Index + marker.Length);
                if (!block.Success || text[(marker.Index + marker.Length)..block.Index].Trim().Length > 0)
                {
                    problems.Add($"{page}: {reference}: no code block right after the marker");
                    continue;
                }

                var source = Path.Combine(DocsRepository.Root, reference);
                var expected = File.Exists(source) ? Extract(File.ReadAllText(source).ReplaceLineEndings("\n"), region) : null;
                if (expected is null)
                {
                    problems.Add($"{page}: {reference}: {(File.Exists(source) ? $"region '{region}' not found" : "file not found")}");
                    continue;
                }

                var code = block.Groups["code"];
                if (Normalize(code.Value) == expected)
                {
                    continue;
                }

                if (Update)
                {
                    rewritten.Append(text, last, code.Index - last).Append(expected).Append('\n');
                    last = code.Index + code.Length;
                }
                else
                {
                    problems.Add($"{page}: {reference}: the block differs from its region; it should read:\n{expected}");
                }
            }

            if (Update && last > 0)
            {
                rewritten.Append(text, last, text.Length - last);
                File.WriteAllText(path, rewritten.ToString());
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n\n", problems) + "\n\nRun DATAENG_UPDATE_SNIPPETS=1 dotnet test --filter DocSnippetsTests to rewrite the blocks from their sources.");
    }

    [Fact]
    public void MarkdownFiles_AreTheReadmeEveryDocsPageAndEveryPackageReadme()
    {
        var files = DocsRepository.MarkdownFiles();

        Assert.Contains("README.md", files);
        Assert.All(DocsRepository.Pages(), page => Assert.Contains(Path.Combine("docs", page), files));
        Assert.All(DocsRepository.PackageReadmes(), readme => Assert.Contains(readme, files));
        Assert.NotEmpty(DocsRepository.PackageReadmes());
    }

    [Fact]
    public void CSharpBlocks_InEveryMarkdownFile_AreAllCompiledSnippets()
    {
        var problems = new List<string>();
        foreach (var page in DocsRepository.MarkdownFiles())
        {
            var path = Path.Combine(DocsRepository.Root, page);
            Assert.True(File.Exists(path), $"{page} is missing");
            var text = File.ReadAllText(path).ReplaceLineEndings("\n");
            foreach (Match block in CSharpBlock().Matches(text))
            {
                var before = text[..block.Index].TrimEnd();
                var lineStart = before.LastIndexOf('\n') + 1;
                if (!Marker().IsMatch(before[lineStart..]))
                {
                    var line = text[..block.Index].Count(static c => c == '\n') + 1;
                    problems.Add($"{page}:{line}: a C# block without a snippet marker; move the code into a compiled file and mark it");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Snippets_HaveBalancedRegions()
    {
        var problems = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(DocsRepository.DocsFolder, "snippets"), "*.cs", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            var opened = RegionStart().Matches(text).Select(static m => m.Groups["name"].Value).ToList();
            var closed = RegionEnd().Matches(text).Select(static m => m.Groups["name"].Value).ToList();
            foreach (var name in opened.Except(closed).Concat(closed.Except(opened)))
            {
                problems.Add($"{Path.GetRelativePath(DocsRepository.Root, file)}: region '{name}' is not both opened and closed");
            }

            foreach (var name in opened.GroupBy(static n => n).Where(static g => g.Count() > 1).Select(static g => g.Key))
            {
                problems.Add($"{Path.GetRelativePath(DocsRepository.Root, file)}: region '{name}' appears twice");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static string? Extract(string source, string? region)
    {
        if (region is null)
        {
            return Normalize(source);
        }

        var start = source.IndexOf($"// <snippet:{region}>", StringComparison.Ordinal);
        var end = source.IndexOf($"// </snippet:{region}>", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            return null;
        }

        start = source.IndexOf('\n', start) + 1;
        end = source.LastIndexOf('\n', end) + 1;
        return Normalize(source[start..end]);
    }

    /// <summary>Trims trailing spaces and blank edge lines and removes the common indentation.</summary>
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

    [GeneratedRegex(@"<!--\s*snippet:\s*(?<path>[^#\s]+)(#(?<region>[\w-]+))?\s*-->")]
    private static partial Regex Marker();

    [GeneratedRegex(@"```[a-z]*\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^```(csharp|cs|c#)\s*$", RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"// <snippet:(?<name>[\w-]+)>")]
    private static partial Regex RegionStart();

    [GeneratedRegex(@"// </snippet:(?<name>[\w-]+)>")]
    private static partial Regex RegionEnd();
}
