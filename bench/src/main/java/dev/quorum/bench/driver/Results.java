package dev.quorum.bench.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Appends measurements to the run's raw.tsv (case, system, run, metric, value, unit), which
 * scripts/bench turns into the report. Also echoes them on standard output.
 */
final class Results {
  private final Path file;
  private final String caseName;
  private final String system;
  private final int run;

  Results(Path file, String caseName, String system, int run) {
    this.file = file;
    this.caseName = caseName;
    this.system = system;
    this.run = run;
  }

  void record(String metric, double value, String unit) {
    String line =
        String.join(
                "\t",
                caseName,
                system,
                Integer.toString(run),
                metric,
                String.format(Locale.ROOT, "%.3f", value),
                unit)
            + "\n";
    System.out.print(line);
    try {
      Files.writeString(
          file,
          line,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
