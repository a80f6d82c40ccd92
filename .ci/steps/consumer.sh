#!/usr/bin/env bash
# The clean consumer test: packs the packages to a temporary folder (eng/pack.sh, which builds only the packages),
# creates a fresh console project outside the repository whose nuget.config lists only that folder and nuget.org (for
# third-party dependencies), made with the commands docs/getting-started.md gives, adds DataEng.Core and
# DataEng.Core.Testing with `dotnet add package`, builds it and runs a small pipeline, and checks its output.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/.ci/steps/lib/pack.sh"
work=$(mktemp -d)
trap 'forget_packages; rm -rf "$work"' EXIT
fail() { echo "consumer: $*"; exit 1; }

pack_packages "$work/packages" || fail "packing failed"

app="$work/consumer"
mkdir -p "$app"
# The package source is added as docs/getting-started.md tells a new user to (until the packages are on nuget.org).
(cd "$app" && dotnet new nugetconfig >/dev/null && dotnet nuget add source "$work/packages" --name dataeng-local --configfile nuget.config >/dev/null) \
  || fail "could not create the nuget.config"
cat >"$app/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
</Project>
XML
cat >"$app/Program.cs" <<'CS'
using Apache.Arrow;
using DataEng.Core;
using DataEng.Core.Stages;
using DataEng.Core.Testing;

using var input = TestBatch.Parse("""
    order_id:int64 | amount:double?
    1              | 9.5
    2              | null
    3              | 31.25
    """);
using var sink = new CollectingSink();
var pipeline = Pipeline.Create("consumer")
    .Extract(new InMemorySource(input.Schema, [input]))
    .Transform(new AddVat())
    .Load(sink)
    .Build();
var result = await pipeline.RunAsync();
Console.WriteLine(result);
using var expected = TestBatch.Parse("""
    order_id:int64 | amount:double? | gross:double?
    1              | 9.5            | 11.4
    2              | null           | null
    3              | 31.25          | 37.5
    """);
BatchAssert.Equal(expected, sink.Batches, new BatchComparison { FloatingTolerance = 1e-9 });
Console.WriteLine($"consumer: {sink.RowCount} rows from {typeof(Pipeline).Assembly.Location}");
return 0;

internal sealed class AddVat : IBatchTransform
{
    public string Name => "add-vat";

    public Schema GetOutputSchema(Schema input)
        => new([.. input.FieldsList, new Field("gross", Apache.Arrow.Types.DoubleType.Default, true)], null);

    public RecordBatch Apply(RecordBatch input, RunContext context)
    {
        var amounts = (DoubleArray)input.Column("amount");
        var gross = new DoubleArray.Builder();
        for (var i = 0; i < amounts.Length; i++)
        {
            gross.Append(amounts.GetValue(i) * 1.2);
        }

        return new RecordBatch(GetOutputSchema(input.Schema), [input.Column(0).Retain(), input.Column(1).Retain(), gross.Build(context.Allocator)], input.Length);
    }
}
CS

cd "$app"
dotnet add package DataEng.Core --version "$PACKAGE_VERSION" >/dev/null || fail "dotnet add package DataEng.Core failed"
dotnet add package DataEng.Core.Testing --version "$PACKAGE_VERSION" >/dev/null || fail "dotnet add package DataEng.Core.Testing failed"
dotnet restore -nologo -v:q || fail "restore failed"
dotnet build -c Release --no-restore -nologo -v:q -clp:NoSummary || fail "build failed"
out=$(dotnet run -c Release --no-build) || { echo "$out"; fail "the consumer failed"; }
echo "$out"
echo "$out" | grep -q "^consumer: 3 rows from " || fail "the consumer did not report its rows"
grep -q '"DataEng.Core/'"$PACKAGE_VERSION"'"' bin/Release/net10.0/Consumer.deps.json || fail "DataEng.Core $PACKAGE_VERSION is not what the consumer depends on"
unzip -p "$work/packages/DataEng.Core.$PACKAGE_VERSION.nupkg" lib/net10.0/DataEng.Core.dll >"$work/packaged.dll"
cmp -s "$work/packaged.dll" bin/Release/net10.0/DataEng.Core.dll || fail "the consumer's DataEng.Core.dll is not the packed one"
echo "consumer: ok ($PACKAGE_VERSION)"
