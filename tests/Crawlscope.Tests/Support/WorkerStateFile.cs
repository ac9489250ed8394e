using Microsoft.Data.Sqlite;

namespace Crawlscope.Tests.Support;

/// <summary>A crawl worker's state file (its SQLite store), read from outside while the worker runs.</summary>
public static class WorkerStateFile
{
    /// <summary>Pages the worker has stored so far; 0 while the file does not exist or is busy.</summary>
    public static long Pages(string db)
    {
        if (!File.Exists(db)) return 0;
        try
        {
            using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM pages";
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0;
        }
    }
}
