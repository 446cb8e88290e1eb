package io.seqs.cli;

import io.seqs.cli.check.Finding;
import io.seqs.cli.check.StoreVerifier;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code verify DIR}: every record's CRC and compressed value, every checkpoint against the log, the manifest and the
 * segment chain with its reclaimed-segment markers.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Reads every byte of the current epoch: every record's CRC32C and generation, every compressed "
                    + "value (it must decompress to the length it declares), the segment headers and their chain "
                    + "(across reclaimed-segment markers, each checked), every checkpoint (and each of its entries "
                    + "against the record it points at), the manifest. Names each problem with its file and offset "
                    + "and says what open would do about it.",
            "Exit code 0 when sound (notes about leftovers do not count), 1 when anything was found that open "
                    + "would drop or repair (a torn tail included)."
        })
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The store directory.")
    Path dir;

    @Mixin
    OutputOptions output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    SeqsCommand parent;

    @Override
    public Integer call() throws IOException {
        FileLock lock = StoreAccess.lockShared(dir);
        StoreVerifier.Report report;
        try {
            report = StoreVerifier.verify(
                    new StoreLayout(dir, output.checkpoints(dir)), parent.err(), output.progress());
        } finally {
            StoreAccess.release(lock);
        }
        if (output.json()) {
            json(report);
        } else {
            text(report);
        }
        return report.sound() ? ExitCode.OK : ExitCode.NEGATIVE;
    }

    private void text(StoreVerifier.Report r) {
        var out = spec.commandLine().getOut();
        var m = r.checks().manifest();
        Table.labelled(
                out,
                "store",
                dir,
                "manifest",
                m == null ? "damaged or missing" : "ok",
                "epoch",
                r.checks().epoch(),
                "shards",
                r.checks().shardCount(),
                "segment size",
                m == null ? "unknown" : m.windowSize(),
                "generation",
                m == null ? "unknown" : m.generation(),
                "reclaimed segments",
                r.reclaimedSegments(),
                "compressed records",
                r.compressedRecords());
        out.println();
        for (Finding f : r.findings()) {
            out.println(f.severity() + " " + f.file() + " @" + f.offset() + ": " + f.what() + "; " + f.openWould());
        }
        if (!r.findings().isEmpty()) {
            out.println();
        }
        if (!r.shards().isEmpty()) {
            Table t = new Table(r.shards().getFirst().keySet().toArray(String[]::new));
            r.shards().forEach(s -> t.row(s.values().toArray()));
            t.print(out);
            out.println();
        }
        out.println(
                "result: " + (r.sound() ? "sound" : "damaged") + " (" + r.count(Finding.Severity.DAMAGE) + " damage, "
                        + r.count(Finding.Severity.TAIL) + " torn tail, " + r.count(Finding.Severity.NOTE) + " notes)");
    }

    private void json(StoreVerifier.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("store", dir.toString());
        m.put("sound", r.sound());
        m.put("manifest_ok", r.checks().manifest() != null);
        m.put("epoch", r.checks().epoch());
        m.put("shards", r.checks().shardCount());
        m.put("reclaimed_segments", r.reclaimedSegments());
        m.put("compressed_records", r.compressedRecords());
        List<Map<String, Object>> findings = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("severity", f.severity().name());
            x.put("file", f.file().toString());
            x.put("offset", f.offset());
            x.put("what", f.what());
            x.put("open_would", f.openWould());
            findings.add(x);
        }
        m.put("findings", findings);
        m.put("shard_figures", r.shards());
        spec.commandLine().getOut().println(Json.value(m));
    }
}
