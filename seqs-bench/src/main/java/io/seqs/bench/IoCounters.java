package io.seqs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Bytes the kernel counted as written, at two levels, read on Linux and absent elsewhere.
 *
 * <ul>
 *   <li><b>Process</b> ({@code /proc/self/io}): {@code write_bytes} is charged to the process
 *       when it dirties a page-cache page, whether by {@code write(2)} or by storing through a
 *       shared mapping (the page-fault path charges it too); a page dirtied again before it was
 *       written back is charged once. {@code cancelled_write_bytes} counts dirty bytes that were
 *       never written because their file was truncated or deleted first. All threads of the JVM
 *       are included.
 *   <li><b>Device</b> ({@code /sys/dev/block/MAJ:MIN/stat}): sectors the block device completed,
 *       including file-system journal and metadata writes, and every other process's writes to the
 *       same device. On a quiet machine it is the truest figure; it is reported beside the other.
 * </ul>
 */
final class IoCounters {
    /**
     * One reading; fields are -1 where the source was not readable. CPU times are the process's
     * user and system time from {@code /proc/self/stat}, in milliseconds (at the usual 100 ticks/s);
     * steal is the time the hypervisor ran something else while this machine's CPUs wanted to
     * run, summed over all CPUs, from {@code /proc/stat}.
     */
    record Snapshot(
            long processWriteBytes,
            long processCancelledBytes,
            long processReadBytes,
            long deviceWriteBytes,
            long cpuUserMillis,
            long cpuSystemMillis,
            long machineBusyMillis,
            long machineStealMillis) {
        Snapshot minus(Snapshot earlier) {
            return new Snapshot(
                    diff(processWriteBytes, earlier.processWriteBytes),
                    diff(processCancelledBytes, earlier.processCancelledBytes),
                    diff(processReadBytes, earlier.processReadBytes),
                    diff(deviceWriteBytes, earlier.deviceWriteBytes),
                    diff(cpuUserMillis, earlier.cpuUserMillis),
                    diff(cpuSystemMillis, earlier.cpuSystemMillis),
                    diff(machineBusyMillis, earlier.machineBusyMillis),
                    diff(machineStealMillis, earlier.machineStealMillis));
        }

        /**
         * CPU time the rest of the machine used meanwhile (every other process and the kernel's
         * own threads, write-back included): busy time of all CPUs minus this process's. Only
         * meaningful as a difference of two readings; -1 when unknown.
         */
        long otherCpuMillis() {
            return machineBusyMillis < 0 || cpuUserMillis < 0
                    ? -1
                    : Math.max(0, machineBusyMillis - cpuUserMillis - cpuSystemMillis);
        }

        private static long diff(long a, long b) {
            return a < 0 || b < 0 ? -1 : a - b;
        }
    }

    private final Path deviceStat;

    /** Counters for the process and for the block device holding {@code dir}, if it has one. */
    IoCounters(Path dir) {
        this.deviceStat = deviceStatFor(dir);
    }

    boolean hasDevice() {
        return deviceStat != null;
    }

    Snapshot read() {
        long write = -1;
        long cancelled = -1;
        long read = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    write = Long.parseLong(line.substring(12).trim());
                } else if (line.startsWith("cancelled_write_bytes:")) {
                    cancelled = Long.parseLong(line.substring(22).trim());
                } else if (line.startsWith("read_bytes:")) {
                    read = Long.parseLong(line.substring(11).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: reported as unknown
        }
        long device = -1;
        if (deviceStat != null) {
            try {
                String[] f = Files.readString(deviceStat).trim().split("\\s+");
                device = Long.parseLong(f[6]) * 512; // field 7: sectors written, always 512-byte units
            } catch (IOException | RuntimeException e) {
                device = -1;
            }
        }
        long user = -1;
        long system = -1;
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            user = Long.parseLong(f[11]) * 10; // field 14, utime, in 1/100 s
            system = Long.parseLong(f[12]) * 10; // field 15, stime
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        long busy = -1;
        long steal = -1;
        try {
            // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ...", all CPUs, 1/100 s.
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            busy = (Long.parseLong(f[1])
                            + Long.parseLong(f[2])
                            + Long.parseLong(f[3])
                            + Long.parseLong(f[6])
                            + Long.parseLong(f[7]))
                    * 10;
            steal = Long.parseLong(f[8]) * 10;
        } catch (IOException | RuntimeException e) {
            // not Linux, or no steal column
        }
        return new Snapshot(write, cancelled, read, device, user, system, busy, steal);
    }

    /** Finds the block device of the mount holding {@code dir} through /proc/self/mountinfo. */
    private static Path deviceStatFor(Path dir) {
        try {
            Path real = Machine.existingAncestor(dir).toRealPath();
            String best = null;
            String bestDevice = null;
            List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f.length < 5) {
                    continue;
                }
                String mountPoint = f[4].replace("\\040", " ");
                boolean contains = real.toString().equals(mountPoint)
                        || mountPoint.equals("/")
                        || real.toString().startsWith(mountPoint + "/");
                if (contains && (best == null || mountPoint.length() >= best.length())) {
                    best = mountPoint;
                    bestDevice = f[2];
                }
            }
            if (bestDevice == null || bestDevice.startsWith("0:")) {
                return null; // tmpfs, overlay and other mounts without a block device
            }
            Path stat = Path.of("/sys/dev/block", bestDevice, "stat");
            return Files.isReadable(stat) ? stat : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
