package io.seqs.cli;

import io.seqs.Seqs;
import io.seqs.SeqsBuilder;
import io.seqs.cli.check.Finding;
import io.seqs.cli.check.Salvager;
import io.seqs.cli.check.StoreChecks;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code salvage DIR NEW_DIR}: every key whose latest version is certain, into a new store. */
@Command(
        name = "salvage",
        mixinStandardHelpOptions = true,
        description = {
            "Copies every intact record into a new store in NEW_DIR (which must not exist or be empty), "
                    + "including records after damage that open would drop, as long as the key's latest version "
                    + "is not in doubt: no unreadable bytes follow its latest record in its shard's log. "
                    + "Reports every unreadable stretch and every key in doubt. Compressed values are copied "
                    + "decompressed (the new store compresses them again); a key whose latest value does not "
                    + "decompress is named and not copied. DIR is only read.",
            "Exit code 0 when everything was saved, 1 when something could not be."
        })
public final class SalvageCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The damaged store (read only).")
    Path dir;

    @Parameters(index = "1", paramLabel = "NEW_DIR", description = "Where the new store is written.")
    Path target;

    @Mixin
    OutputOptions output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    SeqsCommand parent;

    @Override
    public Integer call() throws IOException {
        requireEmpty(target);
        FileLock lock = StoreAccess.lockShared(dir);
        Salvager.Result result;
        try {
            StoreLayout layout = new StoreLayout(dir, output.checkpoints(dir));
            StoreChecks checks = StoreChecks.of(layout);
            if (checks.shardCount() == 0) {
                throw new CliException(
                        ExitCode.FAILED,
                        "no shard directories and no sound manifest in " + dir + ": nothing to salvage");
            }
            SeqsBuilder builder = Seqs.builder(target).shards(checks.shardCount());
            if (checks.windowSize() >= SeqsBuilder.MIN_SEGMENT_SIZE
                    && checks.windowSize() <= SeqsBuilder.MAX_SEGMENT_SIZE) {
                builder.segmentSize(checks.windowSize());
            }
            Progress progress =
                    new Progress("salvage", "bytes", checks.segmentBytes(layout), parent.err(), output.progress());
            try (Seqs store = builder.open()) {
                result = Salvager.salvage(layout, checks, store, progress);
            }
            progress.finish();
        } finally {
            StoreAccess.release(lock);
        }
        print(result);
        return result.complete() ? ExitCode.OK : ExitCode.NEGATIVE;
    }

    private void requireEmpty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new CliException(
                            ExitCode.USAGE, "NEW_DIR " + dir + " is not empty: salvage writes a new store");
                }
            }
        }
    }

    private void print(Salvager.Result r) {
        var out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", dir.toString());
            m.put("target", target.toString());
            m.put("complete", r.complete());
            figures(r).forEach(m::put);
            List<Object> gaps = new ArrayList<>();
            r.gaps()
                    .forEach(g -> gaps.add(Map.of(
                            "shard",
                            g.shard(),
                            "file",
                            g.gap().file().toString(),
                            "offset",
                            g.gap().offset(),
                            "log_start",
                            g.gap().start(),
                            "bytes",
                            g.gap().end() - g.gap().start(),
                            "trailing",
                            g.gap().trailing())));
            m.put("unreadable", gaps);
            List<Object> doubts = new ArrayList<>();
            r.doubts()
                    .forEach(d -> doubts.add(Map.of(
                            "shard",
                            d.shard(),
                            "key",
                            Codec.display(d.key()),
                            "latest_sound_record",
                            d.logPosition(),
                            "unreadable_from",
                            d.gapStart())));
            m.put("keys_in_doubt", doubts);
            List<Object> damaged = new ArrayList<>();
            r.damagedValues()
                    .forEach(d -> damaged.add(Map.of(
                            "shard",
                            d.shard(),
                            "key",
                            Codec.display(d.key()),
                            "file",
                            d.file().toString(),
                            "offset",
                            d.offset(),
                            "what",
                            d.what())));
            m.put("damaged_values", damaged);
            out.println(Json.value(m));
            return;
        }
        List<Object> pairs = new ArrayList<>(List.of("source", dir, "target", target));
        figures(r).forEach((k, v) -> {
            pairs.add(k);
            pairs.add(v);
        });
        Table.labelled(out, pairs.toArray());
        for (Finding f : r.findings()) {
            out.println(f.severity() + " " + f.file() + " @" + f.offset() + ": " + f.what());
        }
        for (Salvager.ShardGap g : r.gaps()) {
            out.println("UNREADABLE shard " + g.shard() + " " + g.gap().file() + " @"
                    + g.gap().offset() + ": " + (g.gap().end() - g.gap().start()) + " bytes from log position "
                    + g.gap().start() + (g.gap().trailing() ? " (the log's tail: nothing sound follows)" : ""));
        }
        for (Salvager.Doubt d : r.doubts()) {
            out.println("IN_DOUBT shard " + d.shard() + " key " + Codec.display(d.key())
                    + ": latest sound record at log position " + d.logPosition() + ", unreadable bytes from "
                    + d.gapStart() + " may hold a newer version");
        }
        for (Salvager.DamagedValue d : r.damagedValues()) {
            out.println("DAMAGED_VALUE shard " + d.shard() + " key " + Codec.display(d.key()) + " " + d.file() + " @"
                    + d.offset() + ": " + d.what() + "; its latest value is lost, not copied");
        }
        out.println("result: " + (r.complete() ? "everything saved" : "not everything could be saved"));
    }

    private static Map<String, Object> figures(Salvager.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records_read", r.records());
        m.put("keys_saved", r.saved());
        m.put("keys_saved_that_open_drops", r.savedBeyondOpen());
        m.put("keys_deleted", r.deleted());
        m.put("keys_in_doubt", r.doubts().size());
        m.put("keys_with_damaged_values", r.damagedValues().size());
        m.put("unreadable_stretches", r.gaps().size());
        m.put(
                "unreadable_bytes",
                r.gaps().stream()
                        .mapToLong(g -> g.gap().end() - g.gap().start())
                        .sum());
        return m;
    }
}
