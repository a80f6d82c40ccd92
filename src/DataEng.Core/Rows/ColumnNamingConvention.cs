namespace DataEng.Core;

/// <summary>How property names become column names when no <see cref="ArrowColumnAttribute.Name"/> is given.</summary>
public enum ColumnNamingConvention
{
    /// <summary>The property name as written (<c>OrderId</c> stays <c>OrderId</c>).</summary>
    AsIs,

    /// <summary>Lower snake case (<c>OrderId</c> becomes <c>order_id</c>).</summary>
    SnakeCase,

    /// <summary>Camel case (<c>OrderId</c> becomes <c>orderId</c>).</summary>
    CamelCase,
}
