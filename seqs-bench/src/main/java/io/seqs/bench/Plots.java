package io.seqs.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * PNG charts of a run, drawn with java.awt in headless mode: throughput over time per engine,
 * get latency percentiles per phase, ingest bandwidth against the disk's own, and disk use over
 * the week.
 */
final class Plots {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
    };
    private static final Color GRID = new Color(0xdddddd);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private Plots() {}

    /** Writes the charts into {@code dir}; returns the files written. */
    static List<Path> write(Path dir, List<EngineResult> results, double diskMbPerSecond, String subtitle)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> files = new ArrayList<>();
        files.add(save(throughput(results, subtitle), dir.resolve("throughput.png")));
        files.add(save(latency(results, subtitle), dir.resolve("latency.png")));
        files.add(save(ingest(results, diskMbPerSecond, subtitle), dir.resolve("ingest.png")));
        if (results.stream().anyMatch(r -> r.week != null && !r.week.diskTimeline.isEmpty())) {
            files.add(save(disk(results, subtitle), dir.resolve("disk.png")));
        }
        return files;
    }

    private static Path save(BufferedImage image, Path file) throws IOException {
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static Graphics2D canvas(BufferedImage im) {
        Graphics2D g = im.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, im.getWidth(), im.getHeight());
        return g;
    }

    // ------------------------------------------------------------------ throughput over time

    private static BufferedImage throughput(List<EngineResult> results, String subtitle) {
        int w = 1000;
        int h = 760;
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(im);
        title(g, "Throughput over time (records/s, 250 ms samples)", subtitle, w);
        timePanel(g, results, true, 70, 70, w - 110, 280, "bootstrap: fresh puts");
        timePanel(g, results, false, 70, 420, w - 110, 280, "incremental: Zipfian read-modify-writes");
        legend(g, results, 80, h - 22);
        g.dispose();
        return im;
    }

    private static void timePanel(
            Graphics2D g, List<EngineResult> results, boolean bootstrap, int x, int y, int pw, int ph, String name) {
        double maxT = 0;
        double maxV = 0;
        for (EngineResult r : results) {
            PhaseResult p = bootstrap ? r.bootstrap : r.incremental;
            if (p == null) {
                continue;
            }
            maxT = Math.max(maxT, p.seconds);
            for (double[] s : p.timeline) {
                maxT = Math.max(maxT, s[0]);
                if (!Double.isNaN(s[1])) {
                    maxV = Math.max(maxV, s[1]);
                }
            }
        }
        maxT = niceCeil(Math.max(maxT, 1));
        maxV = niceCeil(Math.max(maxV, 1));
        g.setFont(LABEL);
        g.setColor(Color.DARK_GRAY);
        g.drawString(name, x, y - 8);
        axes(g, x, y, pw, ph, 0, maxT, "s", 0, maxV, "");
        for (int e = 0; e < results.size(); e++) {
            PhaseResult p = bootstrap ? results.get(e).bootstrap : results.get(e).incremental;
            if (p == null || p.timeline.isEmpty()) {
                continue;
            }
            g.setColor(PALETTE[e % PALETTE.length]);
            g.setStroke(new BasicStroke(1.8f));
            int px = -1;
            int py = -1;
            for (double[] s : p.timeline) {
                if (Double.isNaN(s[1])) {
                    continue;
                }
                int cx = x + (int) (s[0] / maxT * pw);
                int cy = y + ph - (int) (s[1] / maxV * ph);
                if (px >= 0) {
                    g.drawLine(px, py, cx, cy);
                }
                px = cx;
                py = cy;
            }
            // The phase ends after its final flush: mark it, since the rate shown before excludes it.
            int ex = x + (int) (p.seconds / maxT * pw);
            g.setStroke(
                    new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
            g.drawLine(ex, y, ex, y + ph);
            g.setStroke(new BasicStroke(1f));
        }
        g.setFont(SMALL);
        g.setColor(Color.GRAY);
        g.drawString("dashed: phase end, after the final flush", x + pw - 240, y + 14);
    }

    // ------------------------------------------------------------------ disk over the week

    private static BufferedImage disk(List<EngineResult> results, String subtitle) {
        int w = 1000;
        int h = 520;
        int x = 70;
        int y = 70;
        int pw = w - 110;
        int ph = 380;
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(im);
        title(g, "Disk over the week (allocated MB, 1 s samples; dashed: the data set's keys and values)", subtitle, w);
        double maxT = 1;
        double maxV = 1;
        double dataset = 0;
        for (EngineResult r : results) {
            if (r.week == null) {
                continue;
            }
            dataset = Math.max(dataset, r.datasetBytes() / 1e6);
            for (double[] s : r.week.diskTimeline) {
                maxT = Math.max(maxT, s[0]);
                maxV = Math.max(maxV, s[1] / 1e6);
            }
        }
        maxT = niceCeil(maxT);
        maxV = niceCeil(Math.max(maxV, dataset));
        axes(g, x, y, pw, ph, 0, maxT, "s", 0, maxV, "MB");
        for (int e = 0; e < results.size(); e++) {
            PhaseResult p = results.get(e).week;
            if (p == null) {
                continue;
            }
            g.setColor(PALETTE[e % PALETTE.length]);
            g.setStroke(new BasicStroke(1.8f));
            int px = -1;
            int py = -1;
            for (double[] s : p.diskTimeline) {
                int cx = x + (int) (s[0] / maxT * pw);
                int cy = y + ph - (int) (s[1] / 1e6 / maxV * ph);
                if (px >= 0) {
                    g.drawLine(px, py, cx, cy);
                }
                px = cx;
                py = cy;
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
        int dy = y + ph - (int) (dataset / maxV * ph);
        g.drawLine(x, dy, x + pw, dy);
        g.setStroke(new BasicStroke(1f));
        legend(g, results, 80, h - 22);
        g.dispose();
        return im;
    }

    // ------------------------------------------------------------------ latency percentiles

    private static BufferedImage latency(List<EngineResult> results, String subtitle) {
        int w = 1000;
        int h = 560;
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(im);
        title(g, "Get latency while writers run (µs, log scale)", subtitle, w);
        String[] groups = {
            "bootstrap p50",
            "bootstrap p99",
            "bootstrap p99.9",
            "incremental p50",
            "incremental p99",
            "incremental p99.9"
        };
        double[][] v = new double[results.size()][groups.length];
        double max = 1;
        double min = 1e9;
        for (int e = 0; e < results.size(); e++) {
            EngineResult r = results.get(e);
            LatencyRecorder.Summary b = r.bootstrap.gets;
            LatencyRecorder.Summary i = r.incremental == null ? null : r.incremental.gets;
            v[e] = new double[] {
                b.p50Us(),
                b.p99Us(),
                b.p999Us(),
                i == null ? Double.NaN : i.p50Us(),
                i == null ? Double.NaN : i.p99Us(),
                i == null ? Double.NaN : i.p999Us()
            };
            for (double d : v[e]) {
                if (!Double.isNaN(d) && d > 0) {
                    max = Math.max(max, d);
                    min = Math.min(min, d);
                }
            }
        }
        double lo = Math.pow(10, Math.floor(Math.log10(Math.min(min, 1))));
        double hi = Math.pow(10, Math.ceil(Math.log10(max * 1.5)));
        int x = 80;
        int y = 70;
        int pw = w - 120;
        int ph = h - 170;
        g.setColor(Color.BLACK);
        g.drawLine(x, y + ph, x + pw, y + ph);
        g.drawLine(x, y, x, y + ph);
        g.setFont(SMALL);
        for (double t = lo; t <= hi * 1.0001; t *= 10) {
            int ty = y + ph - (int) ((Math.log10(t) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * ph);
            g.setColor(GRID);
            g.drawLine(x + 1, ty, x + pw, ty);
            g.setColor(Color.DARK_GRAY);
            String label = t >= 1 ? String.format(Locale.ROOT, "%,.0f", t) : String.format(Locale.ROOT, "%.1f", t);
            g.drawString(label, x - 8 - g.getFontMetrics().stringWidth(label), ty + 4);
        }
        int groupWidth = pw / groups.length;
        int barWidth = Math.max(6, (groupWidth - 20) / Math.max(1, results.size()));
        for (int gi = 0; gi < groups.length; gi++) {
            int gx = x + gi * groupWidth + 10;
            for (int e = 0; e < results.size(); e++) {
                double d = v[e][gi];
                if (Double.isNaN(d) || d <= 0) {
                    continue;
                }
                int bh = (int) ((Math.log10(d) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * ph);
                int bx = gx + e * barWidth;
                g.setColor(PALETTE[e % PALETTE.length]);
                g.fillRect(bx, y + ph - bh, barWidth - 2, bh);
                g.setColor(Color.DARK_GRAY);
                String label =
                        d >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.1f", d);
                FontMetrics fm = g.getFontMetrics();
                g.drawString(label, bx + (barWidth - 2 - fm.stringWidth(label)) / 2, y + ph - bh - 3);
            }
            g.setColor(Color.BLACK);
            g.setFont(LABEL);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(groups[gi], x + gi * groupWidth + (groupWidth - fm.stringWidth(groups[gi])) / 2, y + ph + 18);
            g.setFont(SMALL);
        }
        legend(g, results, 80, h - 22);
        g.dispose();
        return im;
    }

    // ------------------------------------------------------------------ ingest against the disk

    private static BufferedImage ingest(List<EngineResult> results, double diskMbPerSecond, String subtitle) {
        int w = 1000;
        int rowH = 46;
        int h = 150 + rowH * results.size();
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(im);
        title(g, "Bootstrap ingest (MB/s of keys and values, final flush included)", subtitle, w);
        int x = 150;
        int y = 70;
        int pw = w - 200;
        double max = diskMbPerSecond;
        for (EngineResult r : results) {
            max = Math.max(max, r.ingestMbPerSecond());
        }
        max = niceCeil(max * 1.1);
        g.setFont(LABEL);
        for (int e = 0; e < results.size(); e++) {
            EngineResult r = results.get(e);
            int by = y + e * rowH;
            int bw = (int) (r.ingestMbPerSecond() / max * pw);
            g.setColor(PALETTE[e % PALETTE.length]);
            g.fillRect(x, by, bw, rowH - 14);
            g.setColor(Color.BLACK);
            g.drawString(r.name, x - 10 - g.getFontMetrics().stringWidth(r.name), by + (rowH - 14) / 2 + 5);
        }
        int dx = x + (int) (diskMbPerSecond / max * pw);
        int bottom = y + rowH * results.size();
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
        g.drawLine(dx, y - 10, dx, bottom);
        g.setStroke(new BasicStroke(1f));
        // Bar labels go on top of the disk line, on a white ground, so that both stay legible.
        for (int e = 0; e < results.size(); e++) {
            EngineResult r = results.get(e);
            int by = y + e * rowH;
            int bw = (int) (r.ingestMbPerSecond() / max * pw);
            String label = String.format(
                    Locale.ROOT,
                    "%,.0f MB/s  (%.0f%% of disk)",
                    r.ingestMbPerSecond(),
                    100 * r.ingestMbPerSecond() / diskMbPerSecond);
            FontMetrics fm = g.getFontMetrics();
            g.setColor(Color.WHITE);
            g.fillRect(x + bw + 4, by + (rowH - 14) / 2 - 9, fm.stringWidth(label) + 8, 18);
            g.setColor(Color.BLACK);
            g.drawString(label, x + bw + 8, by + (rowH - 14) / 2 + 5);
        }
        String disk = String.format(Locale.ROOT, "disk: %,.0f MB/s (write + fsync)", diskMbPerSecond);
        g.drawString(disk, Math.min(dx + 6, w - 10 - g.getFontMetrics().stringWidth(disk)), bottom + 20);
        axes(g, x, bottom + 30, pw, 0, 0, max, "MB/s", 0, 0, null);
        g.dispose();
        return im;
    }

    // ------------------------------------------------------------------ helpers

    private static void title(Graphics2D g, String title, String subtitle, int w) {
        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        g.drawString(title, 20, 26);
        g.setFont(SMALL);
        g.setColor(Color.GRAY);
        g.drawString(subtitle, 20, 44);
    }

    private static void legend(Graphics2D g, List<EngineResult> results, int x, int y) {
        g.setFont(LABEL);
        int cx = x;
        for (int e = 0; e < results.size(); e++) {
            g.setColor(PALETTE[e % PALETTE.length]);
            g.fillRect(cx, y - 10, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(results.get(e).name, cx + 20, y);
            cx += 40 + g.getFontMetrics().stringWidth(results.get(e).name);
        }
    }

    /** Axes with 5 ticks each; a y label of null draws the x axis only. */
    private static void axes(
            Graphics2D g,
            int x,
            int y,
            int pw,
            int ph,
            double x0,
            double x1,
            String xUnit,
            double y0,
            double y1,
            String yUnit) {
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= 5; i++) {
            int tx = x + i * pw / 5;
            double v = x0 + (x1 - x0) * i / 5;
            if (yUnit != null) {
                g.setColor(GRID);
                g.drawLine(tx, y, tx, y + ph);
            }
            g.setColor(Color.DARK_GRAY);
            String label = fmt(v) + (i == 5 ? " " + xUnit : "");
            g.drawString(label, tx - fm.stringWidth(label) / 2, y + ph + 15);
        }
        if (yUnit != null) {
            for (int i = 0; i <= 5; i++) {
                int ty = y + ph - i * ph / 5;
                double v = y0 + (y1 - y0) * i / 5;
                g.setColor(GRID);
                g.drawLine(x, ty, x + pw, ty);
                g.setColor(Color.DARK_GRAY);
                String label = fmt(v);
                g.drawString(label, x - 6 - fm.stringWidth(label), ty + 4);
            }
            g.setColor(Color.BLACK);
            g.drawLine(x, y, x, y + ph);
        }
        g.setColor(Color.BLACK);
        g.drawLine(x, y + ph, x + pw, y + ph);
    }

    private static String fmt(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** The next of 1, 2, 2.5, 5 times a power of ten at or above {@code v}. */
    static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
