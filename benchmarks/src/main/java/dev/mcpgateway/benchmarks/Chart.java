package dev.mcpgateway.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Draws the throughput chart (requests/s per target, 1 and 32 connections) with java.awt, headless. */
final class Chart {
  private Chart() {}

  static void write(Path file, List<LoadBenchmark.Row> rows) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, double[]> byTarget = new LinkedHashMap<>();
    for (LoadBenchmark.Row row : rows) {
      if (row.connections() != 1 && row.connections() != 32) {
        continue; // the chart shows 1 and 32 connections; the table has the rest
      }
      double[] values = byTarget.computeIfAbsent(row.target(), t -> new double[2]);
      values[row.connections() == 1 ? 0 : 1] = row.requestsPerSecond();
    }
    double max = 1;
    for (double[] v : byTarget.values()) {
      max = Math.max(max, Math.max(v[0], v[1]));
    }
    int width = 1000;
    int height = 80 + byTarget.size() * 70;
    int left = 170;
    int right = 140;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString("MCP tools/call throughput (requests/s, higher is better)", left, 28);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    Color one = new Color(0x9ecae1);
    Color many = new Color(0x3182bd);
    g.setColor(one);
    g.fillRect(left, 40, 12, 12);
    g.setColor(many);
    g.fillRect(left + 120, 40, 12, 12);
    g.setColor(Color.BLACK);
    g.drawString("1 connection", left + 18, 51);
    g.drawString("32 connections", left + 138, 51);
    int y = 70;
    int span = width - left - right;
    List<String> names = new ArrayList<>(byTarget.keySet());
    for (String name : names) {
      double[] v = byTarget.get(name);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      g.setColor(Color.BLACK);
      g.drawString(name, 10, y + 30);
      for (int i = 0; i < 2; i++) {
        int w = (int) Math.round(v[i] / max * span);
        g.setColor(i == 0 ? one : many);
        g.fillRect(left, y + 4 + i * 28, Math.max(w, 1), 24);
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format(Locale.ROOT, "%,.0f", v[i]), left + w + 6, y + 21 + i * 28);
      }
      y += 70;
    }
    g.setColor(Color.GRAY);
    g.setStroke(new BasicStroke(1));
    g.drawLine(left, 62, left, y);
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }
}
