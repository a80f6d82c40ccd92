using System.Text;
using CsCheck;

namespace DataEng.Core.Tests.Lake;

public class HivePathTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("a\\b", "a%5Cb")]
    [InlineData("a:b", "a%3Ab")]
    [InlineData("a=b", "a%3Db")]
    [InlineData("100%", "100%25")]
    [InlineData("..", "%2E%2E")]
    [InlineData(".", "%2E")]
    [InlineData(".hidden", "%2Ehidden")]
    [InlineData("trailing.", "trailing%2E")]
    [InlineData(" padded ", "%20padded%20")]
    [InlineData("in between", "in between")]
    [InlineData("a+b", "a+b")]
    [InlineData("\0", "%00")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("\u007F", "%7F")]
    [InlineData("é", "é")]
    [InlineData("日本", "日本")]
    [InlineData("a／b", "a／b")]
    [InlineData("\u0085", "%C2%85")]
    [InlineData("\u2028", "%E2%80%A8")]
    [InlineData("\"#'*?{[]^<>|", "%22%23%27%2A%3F%7B%5B%5D%5E%3C%3E%7C")]
    [InlineData("", "")]
    [InlineData("__HIVE_DEFAULT_PARTITION__", "%5F_HIVE_DEFAULT_PARTITION__")]
    public void EscapeValue_EscapesWhatHiveAndFileSystemsNeed(string value, string expected)
    {
        Assert.Equal(expected, HivePath.EscapeValue(value));
        Assert.Equal(value, HivePath.UnescapeValue(expected));
    }

    [Fact]
    public void EscapeValue_Null_IsTheHiveDefaultPartition()
    {
        Assert.Equal("__HIVE_DEFAULT_PARTITION__", HivePath.EscapeValue((string?)null));
        Assert.Null(HivePath.UnescapeValue("__HIVE_DEFAULT_PARTITION__"));
    }

    [Fact]
    public void EscapeValue_InvalidUtf8_EscapesTheBadBytesAndRoundTrips()
    {
        byte[] value = [(byte)'a', 0xFF, 0xC3, (byte)'b', 0xED, 0xA0, 0x80];
        var escaped = HivePath.EscapeValue(value);
        Assert.Equal("a%FF%C3b%ED%A0%80", escaped);
        Assert.Equal(value, HivePath.UnescapeToBytes(escaped));
    }

    [Theory]
    [InlineData("%", "%")]
    [InlineData("%Z1", "%Z1")]
    [InlineData("%2f", "/")]
    [InlineData("a%2", "a%2")]
    public void Unescape_ForeignText_KeepsMalformedEscapesLiterally(string escaped, string expected)
        => Assert.Equal(expected, HivePath.Unescape(escaped));

    [Fact]
    public void EscapeName_LeadingDotOrUnderscore_NeverHidesTheFolder()
    {
        Assert.Equal("%2Ex", HivePath.EscapeName(".x"));
        Assert.Equal("_x", HivePath.EscapeName("_x"));
        Assert.Equal("%2E%2E", HivePath.EscapeName(".."));
    }

    [Fact]
    public void CollisionKey_CaseAndNormalisationVariants_Collide()
    {
        Assert.Equal(HivePath.CollisionKey("k=ABC"), HivePath.CollisionKey("k=abc"));
        Assert.Equal(HivePath.CollisionKey("k=\u00E9"), HivePath.CollisionKey("k=e\u0301"));
        Assert.NotEqual(HivePath.CollisionKey("k=a"), HivePath.CollisionKey("k=b"));
    }

    /// <summary>The generator of hostile text: separators, dots, NUL and controls, escapes, unicode pairs, long runs.</summary>
    internal static readonly Gen<string> HostileText = Gen.OneOf(
            Gen.OneOf<string>("/", "\\", "..", ".", "\0", "%", "%2F", "=", ":", " ", "\t", "\n", "\u007F", "\u0085", "\u2028",
                "é", "e\u0301", "\u00C5", "A\u030A", "／", "＼", "日本", "😀", "__HIVE_DEFAULT_PARTITION__", "a", "B", "~", "+", "_", "$", "*", "?", "\"", "'"),
            Gen.Char.Select(static c => c.ToString()),
            Gen.String[Gen.Char.AlphaNumeric, 1, 4])
        .Array[0, 12]
        .Select(static parts => string.Concat(parts));

    internal static readonly Gen<string> LongText = Gen.Int[200, 600].Select(static n => new string('x', n) + "/..");

    [Fact]
    public void EscapeValue_Property_RoundTripsAndNeverLeavesTheFolder()
    {
        var root = Path.Combine(Path.GetTempPath(), "dataeng-escape-root");
        var layout = new LakeLayout(root);
        Gen.OneOf(HostileText, LongText).Sample(value =>
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            var escaped = HivePath.EscapeValue(bytes);

            // Round trip at the byte level (what Arrow strings hold) and at the string level.
            Assert.Equal(bytes, HivePath.UnescapeToBytes(escaped));
            Assert.NotEqual(HivePath.NullValue, escaped);

            // A folder name built from it is one plain path segment…
            var name = HivePath.EscapeName(value.Length == 0 ? "k" : value);
            var segment = HivePath.Segment(name, escaped);
            Assert.DoesNotContain('/', segment);
            Assert.DoesNotContain('\\', segment);
            Assert.DoesNotContain('\0', segment);
            Assert.False(segment.StartsWith('.'));
            Assert.False(segment.EndsWith('.') || segment.EndsWith(' '));
            Assert.True(HivePath.TrySplitSegment(segment, out var splitName, out var splitValue));
            Assert.Equal(name, splitName);
            Assert.Equal(escaped, splitValue);
            Assert.Equal(value.Length == 0 ? "k" : value, HivePath.Unescape(splitName));

            // …that resolves below the root, however it is nested.
            var full = layout.Resolve(segment + "/" + segment + "/part-00000.parquet");
            Assert.True(DurableFile.IsUnder(layout.Root, full));
            Assert.StartsWith(layout.Root + Path.DirectorySeparatorChar, full, StringComparison.Ordinal);
        }, seed: "0000001dduY7", iter: 10_000, threads: 1);
    }

    [Fact]
    public void EscapeValue_Property_ArbitraryBytesRoundTrip()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            var escaped = HivePath.EscapeValue(bytes);
            Assert.Equal(bytes, HivePath.UnescapeToBytes(escaped));
            Assert.DoesNotContain('/', escaped);
            Assert.DoesNotContain('\0', escaped);
        }, seed: "0000000000J1", iter: 10_000, threads: 1);
    }

    [Fact]
    public void EscapeValue_Property_DistinctValuesGiveDistinctFolders()
    {
        Gen.Select(HostileText, HostileText).Sample((a, b) =>
        {
            if (a != b)
            {
                Assert.NotEqual(HivePath.EscapeValue(a), HivePath.EscapeValue(b));
            }
        }, seed: "0000000000J1", iter: 10_000, threads: 1);
    }
}
