package io.wanopt.bench.vmmove;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Grouped bar chart of elapsed minutes per method on a log-scale y axis, drawn with Java 2D: one group
 * per link, protocol and workload, labelled in three tiers under the axis.
 */
final class BarChart {

    static {
        // The benchmark runs on servers without a display; off-screen drawing needs no more than this.
        System.setProperty("java.awt.headless", "true");
    }

    /** One bar: total elapsed minutes, and whether every file it stands for was verified. */
    record Bar(double minutes, boolean verified) {
    }

    /** Bars of one link, protocol and workload, by method. */
    record Group(String link, String protocol, String workload, Map<String, Bar> bars) {
    }

    /** Okabe-Ito colours, told apart also with colour-blindness; unknown methods take the spares. */
    private static final Map<String, Color> METHOD_COLOURS = Map.of(
            MoveResult.PLAIN, new Color(0x999999),
            MoveResult.WANOPT, new Color(0x0072B2),
            MoveResult.SCP, new Color(0xE69F00),
            MoveResult.RSYNC, new Color(0x009E73));
    private static final List<Color> SPARE_COLOURS = List.of(new Color(0xCC79A7), new Color(0xD55E00),
            new Color(0x56B4E9), new Color(0xF0E442));
    private static final Color FAILED = new Color(0xC00000);
    private static final Color GRID = new Color(0xE4E4E4);
    private static final Color CAPTION = new Color(0x707070);
    /** Space between the groups of two links, in group widths. */
    private static final double LINK_GAP = 0.6;

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 22);
    private static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
    private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font AXIS_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final Font WORKLOAD_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font PROTOCOL_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font LINK_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font CAPTION_FONT = new Font(Font.SANS_SERIF, Font.ITALIC, 12);

    private final String title;
    private final List<String> methods;
    private final List<Group> groups;

    BarChart(String title, List<String> methods, List<Group> groups) {
        this.title = title;
        this.methods = List.copyOf(methods);
        this.groups = List.copyOf(groups);
    }

    void writePng(Path png, int width, int height) throws IOException {
        BufferedImage image = render(width, height);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK's ImageIO, cannot write " + png);
        }
    }

    BufferedImage render(int width, int height) {
        if (width < 400 || height < 300) {
            throw new IllegalArgumentException("chart needs at least 400x300 pixels, got " + width + "x" + height);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(TITLE_FONT);
            while (g.getFontMetrics().stringWidth(title) > width - 20 && g.getFont().getSize() > 10) {
                g.setFont(g.getFont().deriveFont(g.getFont().getSize2D() - 1));
            }
            drawCentred(g, title, width / 2.0, 34);
            drawLegend(g, width, 64);
            double[] range = logRange();
            if (range == null) {
                g.setFont(AXIS_FONT);
                drawCentred(g, "no timed results", width / 2.0, height / 2.0);
            } else {
                drawPlot(g, width, height, range[0], range[1]);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private void drawLegend(Graphics2D g, int width, int baseline) {
        g.setFont(LEGEND_FONT);
        FontMetrics fm = g.getFontMetrics();
        int box = 14;
        int spacing = 28;
        boolean anyFailed = groups.stream().flatMap(group -> group.bars().values().stream())
                .anyMatch(bar -> !bar.verified());
        String failedText = failedMark(g) + " copy not verified";
        int total = 0;
        for (String method : methods) {
            total += box + 6 + fm.stringWidth(method) + spacing;
        }
        total += anyFailed ? fm.stringWidth(failedText) : -spacing;
        int x = (width - total) / 2;
        for (String method : methods) {
            g.setColor(colour(method));
            g.fillRect(x, baseline - box + 2, box, box);
            g.setColor(Color.BLACK);
            g.drawString(method, x + box + 6, baseline);
            x += box + 6 + fm.stringWidth(method) + spacing;
        }
        if (anyFailed) {
            g.setColor(FAILED);
            g.drawString(failedText, x, baseline);
        }
    }

    private void drawPlot(Graphics2D g, int width, int height, double low, double high) {
        int left = 96;
        int right = width - 24;
        int top = 92;
        long links = groups.stream().map(Group::link).distinct().count();
        double groupWidth = (right - left) / (groups.size() + LINK_GAP * (links - 1));

        g.setFont(WORKLOAD_FONT);
        FontMetrics workloadMetrics = g.getFontMetrics();
        List<List<String>> workloadLines = new ArrayList<>();
        int maxLines = 1;
        for (Group group : groups) {
            List<String> lines = wrap(group.workload(), workloadMetrics, groupWidth - 4);
            workloadLines.add(lines);
            maxLines = Math.max(maxLines, lines.size());
        }
        int workloadLineHeight = workloadMetrics.getHeight();
        int tiers = 8 + maxLines * workloadLineHeight + 6 + 20 + 6 + 22;
        int bottom = height - tiers - 8;

        drawAxis(g, left, right, top, bottom, low, high);

        double[] groupLeft = new double[groups.size()];
        double x = left;
        for (int i = 0; i < groups.size(); i++) {
            if (i > 0 && !groups.get(i).link().equals(groups.get(i - 1).link())) {
                double separator = x + groupWidth * LINK_GAP / 2;
                g.setColor(CAPTION);
                g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {5f, 4f}, 0f));
                g.drawLine((int) separator, top, (int) separator, height - 8);
                g.setStroke(new BasicStroke(1f));
                x += groupWidth * LINK_GAP;
            }
            groupLeft[i] = x;
            drawBars(g, groups.get(i), x, groupWidth, bottom, low, high, top);
            x += groupWidth;
        }

        g.setColor(Color.BLACK);
        g.drawLine(left, bottom, right, bottom);

        int workloadTop = bottom + 8;
        int protocolBaseline = workloadTop + maxLines * workloadLineHeight + 6 + 15;
        int linkBaseline = protocolBaseline + 6 + 22;
        g.setFont(WORKLOAD_FONT);
        for (int i = 0; i < groups.size(); i++) {
            List<String> lines = workloadLines.get(i);
            for (int line = 0; line < lines.size(); line++) {
                drawCentred(g, lines.get(line), groupLeft[i] + groupWidth / 2,
                        workloadTop + workloadMetrics.getAscent() + line * workloadLineHeight);
            }
        }
        drawSpans(g, groupLeft, groupWidth, protocolBaseline, PROTOCOL_FONT, true);
        drawSpans(g, groupLeft, groupWidth, linkBaseline, LINK_FONT, false);

        g.setColor(CAPTION);
        g.setFont(CAPTION_FONT);
        drawRight(g, "workload", left - 10, workloadTop + workloadMetrics.getAscent());
        drawRight(g, "protocol", left - 10, protocolBaseline);
        drawRight(g, "link", left - 10, linkBaseline);
    }

    /** Log-scale gridlines and tick labels, the y axis line and its title. */
    private void drawAxis(Graphics2D g, int left, int right, int top, int bottom, double low, double high) {
        g.setFont(TICK_FONT);
        // Few decades leave room for 2 and 5 between the powers of ten.
        int[] multiples = Math.log10(high / low) <= 3.5 ? new int[] {1, 2, 5} : new int[] {1};
        for (int exponent = (int) Math.floor(Math.log10(low)); exponent <= Math.ceil(Math.log10(high)); exponent++) {
            for (int multiple : multiples) {
                BigDecimal tick = BigDecimal.valueOf(multiple).scaleByPowerOfTen(exponent);
                double value = tick.doubleValue();
                if (value < low * 0.9999 || value > high * 1.0001) {
                    continue;
                }
                int y = (int) Math.round(yOf(value, low, high, top, bottom));
                g.setColor(multiple == 1 ? GRID.darker() : GRID);
                g.drawLine(left, y, right, y);
                g.setColor(Color.BLACK);
                g.drawLine(left - 5, y, left, y);
                drawRight(g, tick.stripTrailingZeros().toPlainString(), left - 8,
                        y + g.getFontMetrics().getAscent() / 2 - 1);
            }
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, top, left, bottom);
        g.setFont(AXIS_FONT);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        drawCentred(g, "elapsed time (minutes, log scale)", -(top + bottom) / 2.0, 24);
        g.setTransform(saved);
    }

    private void drawBars(Graphics2D g, Group group, double groupLeft, double groupWidth, int bottom,
            double low, double high, int top) {
        double barWidth = groupWidth * 0.76 / methods.size();
        double x = groupLeft + groupWidth * 0.12;
        for (String method : methods) {
            Bar bar = group.bars().get(method);
            if (bar != null) {
                double y = yOf(bar.minutes(), low, high, top, bottom);
                Rectangle2D.Double shape = new Rectangle2D.Double(x + 1, y, barWidth - 2, bottom - y);
                g.setColor(colour(method));
                g.fill(shape);
                if (!bar.verified()) {
                    g.setColor(FAILED);
                    g.setFont(LEGEND_FONT);
                    drawCentred(g, failedMark(g), x + barWidth / 2, y - 4);
                }
            }
            x += barWidth;
        }
    }

    /** Labels runs of consecutive groups that share a protocol (within a link) or a link. */
    private void drawSpans(Graphics2D g, double[] groupLeft, double groupWidth, int baseline, Font font,
            boolean byProtocol) {
        g.setFont(font);
        int start = 0;
        for (int i = 1; i <= groups.size(); i++) {
            boolean sameRun = i < groups.size() && groups.get(i).link().equals(groups.get(start).link())
                    && (!byProtocol || groups.get(i).protocol().equals(groups.get(start).protocol()));
            if (!sameRun) {
                double from = groupLeft[start] + 3;
                double to = groupLeft[i - 1] + groupWidth - 3;
                Group first = groups.get(start);
                g.setColor(Color.BLACK);
                drawCentred(g, byProtocol ? first.protocol() : first.link(), (from + to) / 2, baseline);
                if (byProtocol) {
                    int bracket = baseline - g.getFontMetrics().getAscent() - 4;
                    g.setColor(CAPTION);
                    g.drawLine((int) from, bracket, (int) to, bracket);
                }
                start = i;
            }
        }
    }

    /**
     * Axis bounds: the nearest 1, 2 or 5 times a power of ten with some room below the shortest bar
     * (so it still shows) and above the tallest; null when there are no bars.
     */
    private double[] logRange() {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Group group : groups) {
            for (Bar bar : group.bars().values()) {
                min = Math.min(min, bar.minutes());
                max = Math.max(max, bar.minutes());
            }
        }
        if (max == 0) {
            return null;
        }
        double low = niceStep(min / 1.3, false);
        return new double[] {low, Math.max(niceStep(max * 1.05, true), low * 10)};
    }

    /** The nearest 1, 2 or 5 times a power of ten at or above (up) or at or below (down) {@code value}. */
    private static double niceStep(double value, boolean up) {
        double decade = Math.pow(10, Math.floor(Math.log10(value)));
        double[] multiples = up ? new double[] {1, 2, 5, 10} : new double[] {10, 5, 2, 1};
        for (double multiple : multiples) {
            if (up ? multiple * decade >= value : multiple * decade <= value) {
                return multiple * decade;
            }
        }
        return up ? 10 * decade : decade;
    }

    private static double yOf(double value, double low, double high, int top, int bottom) {
        double fraction = (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
        return bottom - fraction * (bottom - top);
    }

    private Color colour(String method) {
        Color known = METHOD_COLOURS.get(method);
        if (known != null) {
            return known;
        }
        List<String> unknown = methods.stream().filter(m -> !METHOD_COLOURS.containsKey(m)).toList();
        return SPARE_COLOURS.get(unknown.indexOf(method) % SPARE_COLOURS.size());
    }

    /** The ballot X when the font has it, else a plain x. */
    private static String failedMark(Graphics2D g) {
        return g.getFont().canDisplay('✘') ? "✘" : "x";
    }

    /** Words of {@code text} on as few lines as fit {@code width}; a longer word gets a line of its own. */
    private static List<String> wrap(String text, FontMetrics fm, double width) {
        List<String> lines = new ArrayList<>();
        String line = "";
        for (String word : text.split(" ")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (line.isEmpty() || fm.stringWidth(candidate) <= width) {
                line = candidate;
            } else {
                lines.add(line);
                line = word;
            }
        }
        lines.add(line);
        return lines;
    }

    private static void drawCentred(Graphics2D g, String text, double centreX, double baseline) {
        g.drawString(text, (float) (centreX - g.getFontMetrics().stringWidth(text) / 2.0), (float) baseline);
    }

    private static void drawRight(Graphics2D g, String text, double rightX, double baseline) {
        g.drawString(text, (float) (rightX - g.getFontMetrics().stringWidth(text)), (float) baseline);
    }
}
