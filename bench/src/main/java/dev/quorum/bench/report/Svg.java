package dev.quorum.bench.report;

import java.util.List;
import java.util.Locale;

/** A grouped bar chart (Quorum next to Kafka per category) as a standalone SVG document. */
final class Svg {
  private static final String OURS = "#2b6cb0";
  private static final String KAFKA = "#c05621";

  private Svg() {}

  record Bar(String label, double ours, double kafka) {}

  static String bars(String title, String unit, List<Bar> bars) {
    int width = Math.max(480, 120 + bars.size() * 170);
    int height = 360;
    int left = 70;
    int top = 50;
    int plotH = 230;
    double max = 0;
    for (Bar b : bars) {
      max = Math.max(max, Math.max(finite(b.ours()), finite(b.kafka())));
    }
    max = max <= 0 ? 1 : niceCeiling(max);
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            width,
            height));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(text(width / 2.0, 22, "middle", 15, escape(title)));
    for (int i = 0; i <= 4; i++) {
      double y = top + plotH - plotH * i / 4.0;
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
              left,
              y,
              width - 20,
              y));
      s.append(text(left - 6, y + 4, "end", 11, format(max * i / 4)));
    }
    s.append(text(14, top + plotH / 2.0, "middle", 11, escape(unit), -90));
    double slot = (width - left - 20.0) / bars.size();
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double x = left + i * slot + slot * 0.15;
      double w = slot * 0.35;
      s.append(bar(x, w, b.ours(), max, top, plotH, OURS));
      s.append(bar(x + w, w, b.kafka(), max, top, plotH, KAFKA));
      s.append(text(x + w, top + plotH + 16, "middle", 11, escape(b.label())));
      double r = b.kafka() == 0 ? Double.NaN : b.ours() / b.kafka();
      s.append(text(x + w, top + plotH + 31, "middle", 10, "ratio " + format(r)));
    }
    int ly = height - 22;
    s.append(legend(left, ly, OURS, "Quorum"));
    s.append(legend(left + 110, ly, KAFKA, "Kafka 4.2"));
    s.append("</svg>\n");
    return s.toString();
  }

  private static String bar(
      double x, double w, double v, double max, int top, int plotH, String c) {
    if (!Double.isFinite(v)) {
      return text(x + w / 2, top + plotH - 4, "middle", 10, "n/a");
    }
    double h = plotH * Math.min(1, v / max);
    return String.format(
            Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
            x,
            top + plotH - h,
            w - 2,
            h,
            c)
        + text(x + w / 2, top + plotH - h - 3, "middle", 9, format(v));
  }

  private static String legend(int x, int y, String color, String label) {
    return String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
            x,
            y - 10,
            color)
        + text(x + 16, y, "start", 12, label);
  }

  private static String text(double x, double y, String anchor, int size, String body) {
    return text(x, y, anchor, size, body, 0);
  }

  private static String text(double x, double y, String anchor, int size, String body, int rotate) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s>%s</text>%n",
        x,
        y,
        anchor,
        size,
        rotate == 0
            ? ""
            : String.format(Locale.ROOT, " transform=\"rotate(%d %.1f %.1f)\"", rotate, x, y),
        body);
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  private static double niceCeiling(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  static String format(double v) {
    if (!Double.isFinite(v)) {
      return "n/a";
    }
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
