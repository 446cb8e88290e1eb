package io.seqs.crashtest;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** Delegates every operation to the platform provider; file channels report their forces. */
final class TracingFileSystemProvider extends FileSystemProvider {
    private final TracingFileSystem fs;
    private final FileSystemProvider real;
    private final SyncListener listener;

    TracingFileSystemProvider(TracingFileSystem fs, FileSystemProvider real, SyncListener listener) {
        this.fs = fs;
        this.real = real;
        this.listener = listener;
    }

    private static Path r(Path p) {
        return TracingFileSystem.unwrap(p);
    }

    @Override
    public String getScheme() {
        return "seqs-trace";
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        return fs;
    }

    @Override
    public Path getPath(URI uri) {
        return fs.wrapPath(real.getPath(uri));
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        Path p = r(path);
        FileChannel ch = real.newFileChannel(p, options, attrs);
        return new TracingFileChannel(ch, p, Files.isDirectory(p), listener);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        DirectoryStream<Path> stream = real.newDirectoryStream(r(dir), p -> filter.accept(fs.wrapPath(p)));
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                Iterator<Path> it = stream.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Path next() {
                        return fs.wrapPath(it.next());
                    }
                };
            }

            @Override
            public void close() throws IOException {
                stream.close();
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        real.createDirectory(r(dir), attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        real.delete(r(path));
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        return real.deleteIfExists(r(path));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        real.copy(r(source), r(target), options);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        real.move(r(source), r(target), options);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return real.isSameFile(r(path), r(path2));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        return real.isHidden(r(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        return real.getFileStore(r(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        real.checkAccess(r(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return real.getFileAttributeView(r(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        return real.readAttributes(r(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return real.readAttributes(r(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        real.setAttribute(r(path), attribute, value, options);
    }
}
