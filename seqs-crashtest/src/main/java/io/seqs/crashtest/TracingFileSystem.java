package io.seqs.crashtest;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The default file system seen through {@link TracingFileSystemProvider}: every path the store
 * derives from the one it was opened with stays in this file system, so every file channel it
 * opens reports its {@code force} calls. Nothing else changes: reads, writes, renames and
 * mappings go straight to the real files.
 *
 * <p>This is how the harness learns which directory entries are durable without tracing system
 * calls: the store makes a creation, rename or deletion durable only by forcing the directory,
 * and that force goes through here.
 */
final class TracingFileSystem extends FileSystem {
    private final FileSystem real;
    private final TracingFileSystemProvider provider;

    private TracingFileSystem(FileSystem real, SyncListener listener) {
        this.real = real;
        this.provider = new TracingFileSystemProvider(this, real.provider(), listener);
    }

    /** {@code dir} as a path of a new tracing file system that reports to {@code listener}. */
    static Path wrap(Path dir, SyncListener listener) {
        TracingFileSystem fs = new TracingFileSystem(dir.getFileSystem(), listener);
        return fs.wrapPath(dir);
    }

    Path wrapPath(Path p) {
        return p == null ? null : new TracingPath(this, p);
    }

    static Path unwrap(Path p) {
        return p instanceof TracingPath t ? t.real() : p;
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() throws IOException {
        throw new UnsupportedOperationException("the default file system cannot be closed");
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return real.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        List<Path> roots = new ArrayList<>();
        real.getRootDirectories().forEach(r -> roots.add(wrapPath(r)));
        return roots;
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return real.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return real.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return wrapPath(real.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher m = real.getPathMatcher(syntaxAndPattern);
        return p -> m.matches(unwrap(p));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return real.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("not needed by the store");
    }
}
