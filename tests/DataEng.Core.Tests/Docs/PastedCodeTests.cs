using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace DataEng.Core.Tests.Docs;

/// <summary>
/// The code a page shows works when pasted: <see cref="DocSnippetsTests"/> proves each block is a compiled region; these
/// tests prove a region does not lean on what the page does not show (a variable or parameter declared around it), and
/// that docs/getting-started.md, pasted block by block into the <c>Program.cs</c> of a new console project, compiles
/// and runs.
/// </summary>
public sealed partial class PastedCodeTests : IDisposable
{
    // What `dotnet new console` turns on (ImplicitUsings) for a Program.cs.
    private const string ConsoleImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataeng-pasted-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void SnippetRegions_UseOnlyVariablesThePageDeclares()
    {
        var problems = new List<string>();
        var trees = new Dictionary<string, (SyntaxTree Tree, SemanticModel Model, string Text)>();
        foreach (var page in DocsRepository.MarkdownFiles())
        {
            var text = File.ReadAllText(Path.Combine(DocsRepository.Root, page)).ReplaceLineEndings("\n");

            // Regions shown so far on this page, per file: a variable declared in one of them is on the page.
            var shown = new Dictionary<string, List<TextSpan>>();
            foreach (Match marker in Marker().Matches(text))
            {
                var file = marker.Groups["path"].Value;
                if (!marker.Groups["region"].Success || !file.EndsWith(".cs", StringComparison.Ordinal) || !File.Exists(Path.Combine(DocsRepository.Root, file)))
                {
                    continue;
                }

                if (!trees.TryGetValue(file, out var compiled))
                {
                    compiled = Compile(file);
                    trees[file] = compiled;
                }

                var region = marker.Groups["region"].Value;
                var span = RegionSpan(compiled.Text, region);
                if (span is null)
                {
                    continue; // DocSnippetsTests reports a missing region
                }

                var visible = shown.TryGetValue(file, out var earlier) ? earlier : shown[file] = [];
                visible.Add(span.Value);
                foreach (var name in compiled.Tree.GetRoot().DescendantNodes(span.Value).OfType<IdentifierNameSyntax>().Where(n => span.Value.Contains(n.Span)))
                {
                    var info = compiled.Model.GetSymbolInfo(name);
                    var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                    if (symbol is not (ILocalSymbol or IParameterSymbol or IRangeVariableSymbol))
                    {
                        continue;
                    }

                    var declarations = symbol.Locations.Where(l => l.SourceTree == compiled.Tree).Select(static l => l.SourceSpan).ToList();
                    if (declarations.Count > 0 && !declarations.Any(d => visible.Any(v => v.Contains(d))))
                    {
                        var line = compiled.Tree.GetLineSpan(declarations[0]).StartLinePosition.Line + 1;
                        problems.Add($"{page}: {file}#{region} uses {(symbol is IParameterSymbol ? "parameter" : "variable")} '{symbol.Name}' declared outside every region the page shows ({file}:{line}); declare it inside the region");
                    }
                }
            }
        }

        // Pages written before this rule still show regions cut out of a method whose parameters they use. Each is
        // listed until it is rewritten; a listed page that has become whole must leave the list.
        var pending = problems.Select(static p => p[..p.IndexOf(':', StringComparison.Ordinal)]).ToHashSet();
        var unexpected = problems.Where(p => !NotYetSelfContained.Contains(p[..p.IndexOf(':', StringComparison.Ordinal)])).Distinct().ToList();
        var stale = NotYetSelfContained.Where(page => !pending.Contains(page)).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        Assert.True(stale.Count == 0, "these pages are whole now; remove them from NotYetSelfContained: " + string.Join(", ", stale));
    }

    /// <summary>Pages whose regions still use variables declared around them (see the test above); none may be added.</summary>
    private static readonly HashSet<string> NotYetSelfContained =
    [
        "docs/checkpoints.md", "docs/csv.md", "docs/hosting.md", "docs/incremental.md", "docs/kernels.md", "docs/lake.md",
        "docs/pipelines.md", "docs/quickstart.md", "docs/recipes.md", "docs/resilience.md", "docs/rows.md", "docs/sql.md",
        "docs/telemetry.md", "docs/testing.md", "src/DataEng.Core.Hosting/README.md", "src/DataEng.Core.PostgreSql/README.md",
        "src/DataEng.Core.Sqlite/README.md", "src/DataEng.Core.Testing/README.md",
    ];

    [Fact]
    public void GettingStartedScript_HasNoCodeOutsideTheRegionsThePageShows()
    {
        const string script = "docs/scripts/getting-started.cs";
        var page = File.ReadAllText(Path.Combine(DocsRepository.DocsFolder, "getting-started.md")).ReplaceLineEndings("\n");
        var regions = Marker().Matches(page).Where(static m => m.Groups["path"].Value == script).Select(static m => m.Groups["region"].Value).ToHashSet();
        var inside = (string?)null;
        var problems = new List<string>();
        var lines = File.ReadAllLines(Path.Combine(DocsRepository.Root, script));
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            var start = RegionStart().Match(line);
            if (start.Success)
            {
                inside = start.Groups["name"].Value;
                if (!regions.Contains(inside))
                {
                    problems.Add($"{script}: region '{inside}' is not shown on docs/getting-started.md");
                }

                continue;
            }

            if (line.StartsWith("// </snippet:", StringComparison.Ordinal))
            {
                inside = null;
                continue;
            }

            if (inside is null && line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith('#'))
            {
                problems.Add($"{script}:{i + 1}: code outside the regions the page shows: {line}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task GettingStarted_PastedIntoProgramCs_CompilesWithoutWarningsAndRuns()
    {
        var page = File.ReadAllText(Path.Combine(DocsRepository.DocsFolder, "getting-started.md")).ReplaceLineEndings("\n");
        var program = string.Join("\n\n", CSharpBlock().Matches(page).Select(static m => m.Groups["code"].Value));
        Assert.Contains("using DataEng.Core;", program, StringComparison.Ordinal);

        var compilation = CSharpCompilation.Create(
            "OrdersEtl",
            [
                CSharpSyntaxTree.ParseText(ConsoleImplicitUsings, Parse, "GlobalUsings.g.cs"),
                CSharpSyntaxTree.ParseText(program, Parse, "Program.cs"),
            ],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(SdkSuppressed));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var diagnostics = emitted.Diagnostics.Where(static d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(diagnostics.Count == 0, "docs/getting-started.md pasted into Program.cs:\n" + string.Join("\n", diagnostics) + "\n\n" + program);
        Assert.True(emitted.Success);

        // Run it as `dotnet run -- <folder>` would, in a collectible context (DataEng.Core resolves to the loaded one).
        var lake = Path.Combine(_folder, "lake");
        image.Position = 0;
        var context = new AssemblyLoadContext("getting-started", isCollectible: true);
        try
        {
            var entry = context.LoadFromStream(image).EntryPoint!;
            await Task.Run(() => entry.Invoke(null, [new[] { lake }]));
        }
        catch (TargetInvocationException e)
        {
            throw new InvalidOperationException("docs/getting-started.md failed when run", e.InnerException);
        }
        finally
        {
            context.Unload();
        }

        // Two orders survive the filter, on two days; the re-run replaced both days; the second incremental run loaded nothing.
        var orders = (await LakeDataset.OpenAsync(lake)).Latest!;
        Assert.Equal(2, orders.RowCount);
        Assert.Equal(["day=2024-01-01", "day=2024-01-02"], orders.Partitions.Select(static p => p.Path).Order(StringComparer.Ordinal));
        Assert.Equal(2, Duck.Long($"SELECT count(*) FROM read_parquet([{string.Join(", ", orders.Files.Select(static f => Duck.Literal(f.FullPath)))}])"));
        Assert.Equal(3, (await LakeDataset.OpenAsync(lake + "-incremental")).Latest!.RowCount);
    }

    private static CSharpParseOptions Parse => new(LanguageVersion.Preview);

    // The SDK's default NoWarn (CS1701/CS1702: assembly version unification, which the runtime does anyway).
    private static Dictionary<string, ReportDiagnostic> SdkSuppressed => new() { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress };

    private static List<MetadataReference> References() => CachedReferences.Value;

    private static readonly Lazy<List<MetadataReference>> CachedReferences = new(LoadReferences);

    private static List<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(static a => !a.IsDynamic && a.Location.Length > 0).Select(static a => a.Location))
            .Concat([typeof(Pipeline).Assembly.Location, typeof(Apache.Arrow.RecordBatch).Assembly.Location]);
        return [.. paths.Where(static p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .DistinctBy(static p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .Select(static p => MetadataReference.CreateFromFile(p))];
    }

    /// <summary>Binds a compiled file on its own: enough to tell which declaration a name refers to.</summary>
    private static (SyntaxTree Tree, SemanticModel Model, string Text) Compile(string file)
    {
        // A file-based app's `#!` and `#:` lines are not C#: blank them, keeping the positions.
        var text = string.Join("\n", File.ReadAllText(Path.Combine(DocsRepository.Root, file)).ReplaceLineEndings("\n").Split('\n')
            .Select(static l => l.StartsWith("#!", StringComparison.Ordinal) || l.StartsWith("#:", StringComparison.Ordinal) ? new string(' ', l.Length) : l));
        var tree = CSharpSyntaxTree.ParseText(text, Parse, file);
        var topLevel = tree.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "regions",
            [tree, CSharpSyntaxTree.ParseText(ConsoleImplicitUsings, Parse)],
            References(),
            new CSharpCompilationOptions(topLevel ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary));
        return (tree, compilation.GetSemanticModel(tree), text);
    }

    private static TextSpan? RegionSpan(string text, string region)
    {
        var start = text.IndexOf($"// <snippet:{region}>", StringComparison.Ordinal);
        var end = text.IndexOf($"// </snippet:{region}>", StringComparison.Ordinal);
        return start < 0 || end < start ? null : TextSpan.FromBounds(start, end);
    }

    [GeneratedRegex(@"<!--\s*snippet:\s*(?<path>[^#\s]+)(#(?<region>[\w-]+))?\s*-->")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^```(csharp|cs|c#)\s*\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^// <snippet:(?<name>[\w-]+)>")]
    private static partial Regex RegionStart();
}
