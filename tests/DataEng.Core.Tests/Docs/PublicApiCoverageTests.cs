using System.Text.RegularExpressions;

namespace DataEng.Core.Tests.Docs;

/// <summary>
/// Docs cover every public building block: each public type declared in a <c>src/*/PublicAPI.Shipped.txt</c> or
/// <c>PublicAPI.Unshipped.txt</c> is named, as code (<c>`Type`</c> or inside a code block), on at least one page of
/// <c>docs/</c>. Members are not checked, only types.
/// </summary>
public sealed partial class PublicApiCoverageTests
{
    [Fact]
    public void PublicApiFiles_DeclareTypes()
        => Assert.True(PublicTypes().Count > 50, "expected the public API files to declare many types; did their format change?");

    [Fact]
    public void EveryPublicType_IsNamedInTheDocs()
    {
        var code = string.Join("\n", DocsRepository.Pages().Select(static p => CodeText(File.ReadAllText(Path.Combine(DocsRepository.DocsFolder, p)))));
        var named = new HashSet<string>(Identifier().Matches(code).Select(static m => m.Value), StringComparer.Ordinal);
        var missing = PublicTypes().Where(t => !named.Contains(SimpleName(t)) && !IsAttributeUsed(SimpleName(t), named)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} public types are named on no docs/*.md page (as code):\n" + string.Join("\n", missing));
    }

    /// <summary>The full names of the public types, from the lines of the API files that declare a type (no
    /// <c>-&gt;</c>, no parameter list).</summary>
    internal static IReadOnlyList<string> PublicTypes()
    {
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var project in Directory.GetDirectories(Path.Combine(DocsRepository.Root, "src")))
        {
            foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }.Select(f => Path.Combine(project, f)).Where(File.Exists))
            {
                foreach (var raw in File.ReadLines(file))
                {
                    var line = raw.Trim();
                    if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("*REMOVED*", StringComparison.Ordinal)
                        || line.Contains(" -> ", StringComparison.Ordinal) || line.Contains('('))
                    {
                        continue;
                    }

                    types.Add(line.TrimStart('~'));
                }
            }
        }

        return [.. types];
    }

    /// <summary>An attribute counts as named when it is used: <c>[ArrowColumn]</c> names <c>ArrowColumnAttribute</c>.</summary>
    private static bool IsAttributeUsed(string name, HashSet<string> named)
        => name.EndsWith("Attribute", StringComparison.Ordinal) && named.Contains(name[..^"Attribute".Length]);

    /// <summary><c>DataEng.Core.SpanFunc&lt;TIn, TOut&gt;</c> → <c>SpanFunc</c>.</summary>
    internal static string SimpleName(string fullName)
    {
        var generic = fullName.IndexOf('<', StringComparison.Ordinal);
        var name = generic < 0 ? fullName : fullName[..generic];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    /// <summary>The text of a page's fenced code blocks and inline code spans.</summary>
    private static string CodeText(string markdown)
    {
        var blocks = FencedBlock().Matches(markdown).Select(static m => m.Value).ToList();
        var prose = FencedBlock().Replace(markdown, "\n");
        return string.Join("\n", blocks.Concat(InlineCode().Matches(prose).Select(static m => m.Value)));
    }

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"`[^`\n]+`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();
}
