// Oracle formats instants with java.time.format.DateTimeFormatter, the
// formatter Firehose documents for !{timestamp:...}. It is sesctl's test
// oracle: `java Oracle.java < in.tsv > out.tsv`.
//
// Input lines:  pattern <TAB> epochSecond <TAB> nano <TAB> zoneId
// Output lines: the same four columns <TAB> result, or "ERR " + message.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

public class Oracle {
    public static void main(String[] args) throws Exception {
        // Pin the locale Firehose's JVM most likely runs with (en/en_US).
        Locale.setDefault(Locale.US);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.split("\t", -1);
            out.append(line).append('\t').append(format(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3])).append('\n');
        }
        System.out.write(out.toString().getBytes(StandardCharsets.UTF_8));
        System.out.flush();
    }

    static String format(String pattern, long sec, int nano, String zone) {
        try {
            ZonedDateTime t = Instant.ofEpochSecond(sec, nano).atZone(ZoneId.of(zone));
            return DateTimeFormatter.ofPattern(pattern).format(t);
        } catch (RuntimeException e) {
            return "ERR " + e.getMessage();
        }
    }
}
