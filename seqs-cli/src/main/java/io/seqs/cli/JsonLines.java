package io.seqs.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Reads the JSON lines {@code dump} writes: one flat object of string fields per line. */
final class JsonLines {
    private JsonLines() {}

    static long read(InputStream in, DumpFormat.Sink sink) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        long count = 0;
        long lineNumber = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> fields = parse(line, lineNumber);
            sink.accept(bytes(fields, "key", lineNumber), bytes(fields, "value", lineNumber));
            count++;
        }
        return count;
    }

    private static byte[] bytes(Map<String, String> fields, String name, long line) {
        if (fields.containsKey(name)) {
            return fields.get(name).getBytes(StandardCharsets.UTF_8);
        }
        if (fields.containsKey(name + "_base64")) {
            return Base64.getDecoder().decode(fields.get(name + "_base64"));
        }
        throw new CliException(
                ExitCode.FAILED, "dump line " + line + " has no \"" + name + "\" or \"" + name + "_base64\" field");
    }

    private static Map<String, String> parse(String line, long number) {
        Map<String, String> fields = new HashMap<>();
        int[] at = {skip(line, 0)};
        expect(line, at, '{', number);
        while (true) {
            at[0] = skip(line, at[0]);
            if (at[0] < line.length() && line.charAt(at[0]) == '}') {
                return fields;
            }
            String name = string(line, at, number);
            at[0] = skip(line, at[0]);
            expect(line, at, ':', number);
            at[0] = skip(line, at[0]);
            fields.put(name, string(line, at, number));
            at[0] = skip(line, at[0]);
            if (at[0] < line.length() && line.charAt(at[0]) == ',') {
                at[0]++;
            }
        }
    }

    private static String string(String s, int[] at, long number) {
        expect(s, at, '"', number);
        StringBuilder b = new StringBuilder();
        while (at[0] < s.length()) {
            char c = s.charAt(at[0]++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (at[0] >= s.length()) {
                break;
            }
            char e = s.charAt(at[0]++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (at[0] + 4 > s.length()) {
                        throw malformed(number);
                    }
                    b.append((char) Integer.parseInt(s.substring(at[0], at[0] + 4), 16));
                    at[0] += 4;
                }
                default -> b.append(e);
            }
        }
        throw malformed(number);
    }

    private static void expect(String s, int[] at, char c, long number) {
        if (at[0] >= s.length() || s.charAt(at[0]) != c) {
            throw malformed(number);
        }
        at[0]++;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static CliException malformed(long number) {
        return new CliException(ExitCode.FAILED, "dump line " + number + " is not a JSON object of string fields");
    }
}
