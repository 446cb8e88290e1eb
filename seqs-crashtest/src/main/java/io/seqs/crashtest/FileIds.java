package io.seqs.crashtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * Names a file by its inode and its birth time. The inode alone is not enough: a file system
 * reuses the inode of a deleted file for the next one it creates, and the power-loss model must
 * never mistake the new file for the old one (it would "revert" bytes the new file never held).
 * On Linux {@code creationTime()} is the statx birth time, which a reused inode does not keep.
 */
final class FileIds {
    private FileIds() {}

    /** The identity of the file or directory at {@code p}, or null when nothing is there. */
    static String of(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return inode(a.fileKey()) + "-" + a.creationTime().to(TimeUnit.NANOSECONDS) + (a.isDirectory() ? "d" : "f");
        } catch (IOException e) {
            return null;
        }
    }

    static boolean isDirectory(String id) {
        return id.endsWith("d");
    }

    private static String inode(Object fileKey) {
        String s = String.valueOf(fileKey); // "(dev=fe00,ino=2147685)" on Linux
        int i = s.indexOf("ino=");
        if (i < 0) {
            return s.replace(' ', '_');
        }
        int end = i + 4;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return s.substring(i + 4, end);
    }
}
