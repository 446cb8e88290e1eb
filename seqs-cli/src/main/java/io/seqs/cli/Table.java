package io.seqs.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: a header row of labels, columns aligned, numbers right-aligned. */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();

    /** @param header the column labels */
    public Table(String... header) {
        rows.add(header);
    }

    /** Adds a row. @param cells one value per column @return this */
    public Table row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] instanceof Double d ? String.format("%.2f", d) : String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    /** Prints the table. @param out where */
    public void print(PrintWriter out) {
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                boolean number = !r[i].isEmpty()
                        && (Character.isDigit(r[i].charAt(0)) || r[i].charAt(0) == '-')
                        && r != rows.getFirst();
                String cell = number
                        ? " ".repeat(width[i] - r[i].length()) + r[i]
                        : r[i] + " ".repeat(width[i] - r[i].length());
                b.append(i == 0 ? "" : "  ").append(cell);
            }
            out.println(b.toString().stripTrailing());
        }
    }

    /**
     * Prints "label: value" lines with the values aligned.
     *
     * @param out where
     * @param pairs label, value, label, value, ...
     */
    public static void labelled(PrintWriter out, Object... pairs) {
        int width = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            width = Math.max(width, pairs[i].toString().length());
        }
        for (int i = 0; i < pairs.length; i += 2) {
            Object v = pairs[i + 1];
            String s = v instanceof Double d ? String.format("%.3f", d) : String.valueOf(v);
            out.println(pairs[i] + ":" + " ".repeat(width - pairs[i].toString().length() + 1) + s);
        }
    }
}
