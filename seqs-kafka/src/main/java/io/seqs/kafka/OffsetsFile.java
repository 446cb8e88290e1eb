package io.seqs.kafka;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.query.Position;

/**
 * The small text file in a store's directory that records its changelog offsets, its IQv2
 * position and whether it was closed cleanly. It is replaced atomically: written to a temporary
 * file, forced, renamed over the old one, and the directory forced, so a crash leaves either
 * the old file or the new one. The last line is a CRC32C of the lines before it.
 *
 * <pre>
 * seqs-kafka-offsets 1
 * state open|closed
 * offset &lt;topic&gt; &lt;partition&gt; &lt;offset&gt;
 * position &lt;topic&gt; &lt;partition&gt; &lt;offset&gt;
 * crc &lt;hex&gt;
 * </pre>
 */
final class OffsetsFile {
    static final String NAME = "kafka-offsets";
    private static final String HEADER = "seqs-kafka-offsets 1";

    /**
     * What the file holds.
     *
     * @param closedCleanly whether the store was closed with nothing written after its last commit
     * @param offsets committed changelog offsets, {@code -4} meaning "unknown" as Kafka passed it
     * @param position the IQv2 position the data reflects
     */
    record Contents(boolean closedCleanly, Map<TopicPartition, Long> offsets, Position position) {
        /** A store that never wrote the file. */
        static Contents empty() {
            return new Contents(true, Map.of(), Position.emptyPosition());
        }
    }

    private final Path file;

    OffsetsFile(Path dir) {
        this.file = dir.resolve(NAME);
    }

    /** The file's path, for messages. */
    Path path() {
        return file;
    }

    /** Whether the file exists. */
    boolean exists() {
        return Files.exists(file);
    }

    /**
     * Reads the file; a missing file reads as {@link Contents#empty()}.
     *
     * @throws ProcessorStateException when the file cannot be read or fails its checks
     */
    Contents read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Contents.empty();
        } catch (IOException e) {
            throw new ProcessorStateException("cannot read offsets file " + file, e);
        }
        return parse(lines);
    }

    private Contents parse(List<String> lines) {
        if (lines.size() < 3 || !HEADER.equals(lines.getFirst())) {
            throw corrupt("it does not start with '" + HEADER + "' or is too short");
        }
        String crcLine = lines.getLast();
        List<String> body = lines.subList(0, lines.size() - 1);
        if (!crcLine.equals("crc " + crc(body))) {
            throw corrupt("its checksum does not match");
        }
        boolean closed = switch (body.get(1)) {
            case "state closed" -> true;
            case "state open" -> false;
            default -> throw corrupt("line 2 is neither 'state open' nor 'state closed'");
        };
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        Position position = Position.emptyPosition();
        for (String line : body.subList(2, body.size())) {
            String[] f = line.split(" ");
            if (f.length != 4) {
                throw corrupt("line '" + line + "' does not have four fields");
            }
            try {
                int partition = Integer.parseInt(f[2]);
                long offset = Long.parseLong(f[3]);
                switch (f[0]) {
                    case "offset" -> offsets.put(new TopicPartition(f[1], partition), offset);
                    case "position" -> position = position.withComponent(f[1], partition, offset);
                    default -> throw corrupt("line '" + line + "' is neither an offset nor a position");
                }
            } catch (NumberFormatException e) {
                throw corrupt("line '" + line + "' has a number that does not parse");
            }
        }
        return new Contents(closed, offsets, position);
    }

    /**
     * Replaces the file atomically with {@code contents}. Call it only once the data the offsets
     * cover is on stable storage.
     *
     * @throws ProcessorStateException when the file cannot be written
     */
    void write(Contents contents) {
        List<String> lines = format(contents);
        lines.add("crc " + crc(lines));
        Path tmp = file.resolveSibling(NAME + ".tmp");
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            force(tmp, StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            force(file.getParent(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ProcessorStateException("cannot write offsets file " + file, e);
        }
    }

    private static List<String> format(Contents contents) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.add(contents.closedCleanly() ? "state closed" : "state open");
        contents.offsets()
                .forEach((tp, offset) -> lines.add("offset " + tp.topic() + " " + tp.partition() + " " + offset));
        Position position = contents.position();
        for (String topic : position.getTopics()) {
            position.getPartitionPositions(topic)
                    .forEach((partition, offset) -> lines.add("position " + topic + " " + partition + " " + offset));
        }
        return lines;
    }

    private static void force(Path path, StandardOpenOption mode) throws IOException {
        try (FileChannel channel = FileChannel.open(path, mode)) {
            channel.force(true);
        }
    }

    private static String crc(List<String> lines) {
        CRC32C crc = new CRC32C();
        for (String line : lines) {
            crc.update((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return Long.toHexString(crc.getValue());
    }

    private ProcessorStateException corrupt(String why) {
        return new ProcessorStateException("offsets file " + file + " is damaged: " + why
                + "; delete the store's directory to restore it from its changelog");
    }
}
