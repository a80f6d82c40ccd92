using System.Data.Common;
using System.Net.Sockets;

namespace DataEng.Core;

/// <summary>Wraps provider failures once with the source name, classifies them transient or terminal, and keeps
/// connection-string secrets out of every message.</summary>
internal static class SqlErrors
{
    private static readonly string[] SecretKeys = ["password", "pwd", "secret", "token", "accountkey", "sharedaccesskey"];

    /// <summary>Returns the secret values (passwords, tokens, keys) of a connection string.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <returns>The values to redact; empty when there are none or the string does not parse.</returns>
    public static IReadOnlyList<string> SecretsOf(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return [];
        }

        var secrets = new List<string>();
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (string key in builder.Keys)
            {
                var compact = key.Replace(" ", "", StringComparison.Ordinal);
                if (SecretKeys.Any(k => compact.Contains(k, StringComparison.OrdinalIgnoreCase))
                    && builder[key]?.ToString() is { Length: >= 3 } value)
                {
                    secrets.Add(value);
                }
            }
        }
        catch (ArgumentException)
        {
            // not a key=value connection string: nothing we can recognise
        }

        return secrets;
    }

    /// <summary>Replaces every secret in <paramref name="text"/> with <c>***</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="secrets">The secrets.</param>
    /// <returns>The redacted text.</returns>
    public static string Redact(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Wraps a provider failure: transient (<see cref="TransientDataEngException"/>) when the provider says so
    /// or on timeouts and socket errors, terminal (<see cref="DataEngException"/>) otherwise.</summary>
    /// <param name="error">The failure.</param>
    /// <param name="sourceName">The source name.</param>
    /// <param name="action">What was being done (for example "open a connection").</param>
    /// <param name="secrets">Secrets to keep out of messages.</param>
    /// <returns>The exception to throw.</returns>
    public static DataEngException Wrap(Exception error, string sourceName, string action, IReadOnlyList<string> secrets)
    {
        var inner = secrets.Count > 0 && ContainsSecret(error, secrets) ? Sanitize(error, secrets) : error;
        var message = Redact($"SQL source '{sourceName}' could not {action}: {error.Message}", secrets);
        return IsTransient(error) ? new TransientDataEngException(message, inner) : new DataEngException(message, inner);
    }

    /// <summary>Returns whether a failure is worth retrying.</summary>
    /// <param name="error">The failure.</param>
    /// <returns><see langword="true"/> for transient failures.</returns>
    public static bool IsTransient(Exception error) => error switch
    {
        DbException db => db.IsTransient || db.InnerException is TimeoutException or SocketException,
        TimeoutException or SocketException => true,
        _ => error.InnerException is not null && IsTransient(error.InnerException),
    };

    private static bool ContainsSecret(Exception error, IReadOnlyList<string> secrets)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (secrets.Any(s => e.Message.Contains(s, StringComparison.Ordinal) || (e.StackTrace?.Contains(s, StringComparison.Ordinal) ?? false)))
            {
                return true;
            }
        }

        return false;
    }

    private static DataEngException Sanitize(Exception error, IReadOnlyList<string> secrets)
    {
        // The provider's message quotes a secret: keep the type and a redacted message, drop the original object.
        var inner = error.InnerException is null ? null : Sanitize(error.InnerException, secrets);
        var message = $"{error.GetType().FullName}: {Redact(error.Message, secrets)}";
        return IsTransient(error) ? new TransientDataEngException(message, inner) : new DataEngException(message, inner);
    }
}
