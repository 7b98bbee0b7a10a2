package dev.quorum.chaos.report;

import dev.quorum.chaos.harness.FaultWindow;
import java.util.List;
import java.util.Locale;

/** Just enough SVG for time charts: points over time with fault periods shaded behind them. */
final class Svg {
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 360;
  private static final int LEFT = 70;
  private static final int BOTTOM = 40;
  private static final String[] COLORS = {"#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e"};

  /** A point: x in nanos of the history clock, y a value, colour by series. */
  record Point(long xNanos, double y, int series) {}

  private Svg() {}

  static String chart(
      String title,
      String yLabel,
      List<Point> points,
      List<FaultWindow> faults,
      List<String> legend,
      long endNanos) {
    double maxY = points.stream().mapToDouble(Point::y).max().orElse(1);
    maxY = Math.max(maxY, 1);
    long maxX = Math.max(endNanos, 1);
    int plotW = WIDTH - LEFT - 20;
    int plotH = HEIGHT - BOTTOM - 30;
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    sb.append("<text x=\"").append(LEFT).append("\" y=\"16\" font-size=\"14\">");
    sb.append(escape(title)).append("</text>\n");
    for (FaultWindow f : faults) {
      double x0 = LEFT + plotW * (double) f.startNanos() / maxX;
      double x1 = LEFT + plotW * (double) Math.max(f.endNanos(), f.startNanos()) / maxX;
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"30\" width=\"%.1f\" height=\"%d\" fill=\"#f4a582\""
                  + " fill-opacity=\"0.35\"><title>%s</title></rect>\n",
              x0,
              Math.max(1, x1 - x0),
              plotH,
              escape(f.fault() + " " + f.nodes())));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"#b2182b\">%s</text>\n",
              x0 + 2,
              42,
              escape(f.fault())));
    }
    for (Point p : points) {
      double x = LEFT + plotW * (double) p.xNanos() / maxX;
      double y = 30 + plotH - plotH * p.y() / maxY;
      sb.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.5\" fill=\"%s\"/>\n",
              x,
              y,
              COLORS[Math.floorMod(p.series(), COLORS.length)]));
    }
    int axisY = 30 + plotH;
    sb.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(axisY);
    sb.append("\" x2=\"").append(LEFT + plotW).append("\" y2=\"").append(axisY);
    sb.append("\" stroke=\"black\"/>\n");
    sb.append("<line x1=\"").append(LEFT).append("\" y1=\"30\" x2=\"").append(LEFT);
    sb.append("\" y2=\"").append(axisY).append("\" stroke=\"black\"/>\n");
    for (int i = 0; i <= 5; i++) {
      double seconds = maxX / 1e9 * i / 5;
      int x = LEFT + plotW * i / 5;
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.0fs</text>\n",
              x,
              axisY + 15,
              seconds));
      double yValue = maxY * i / 5;
      int y = axisY - plotH * i / 5;
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>\n",
              LEFT - 5,
              y + 4,
              yValue));
    }
    sb.append("<text x=\"12\" y=\"").append(30 + plotH / 2).append("\" transform=\"rotate(-90 12 ");
    sb.append(30 + plotH / 2).append(")\" text-anchor=\"middle\">").append(escape(yLabel));
    sb.append("</text>\n");
    for (int i = 0; i < legend.size(); i++) {
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n",
              LEFT + 10 + 110 * i,
              HEIGHT - 5,
              COLORS[i % COLORS.length],
              escape(legend.get(i))));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
