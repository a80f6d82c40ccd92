namespace DataEng.Core;

/// <summary>Comparison operators.</summary>
internal enum ComparisonOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    AlwaysTrue,
    AlwaysFalse,
}
