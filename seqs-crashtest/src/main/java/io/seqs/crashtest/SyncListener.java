package io.seqs.crashtest;

import java.nio.file.Path;

/** Told when the store forces a directory or a regular file through {@link TracingFileSystem}. */
interface SyncListener {
    /** Called after {@code fsync(dir)} returned: every entry the directory holds now is durable. */
    void directorySynced(Path realDir);

    /** Called after {@code fsync(file)} returned, before the store goes on. */
    void fileSynced(Path realFile);
}
