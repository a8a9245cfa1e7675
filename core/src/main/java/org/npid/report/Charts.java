package org.npid.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's plots, drawn by XChart (headless) and inlined as base64 PNG. */
final class Charts {
    private static final int W = 640;
    private static final int H = 360;

    private Charts() {}

    static String png(Chart<?, ?> chart) {
        try {
            return "data:image/png;base64,"
                    + Base64.getEncoder()
                            .encodeToString(
                                    BitmapEncoder.getBitmapBytes(
                                            chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines against the epoch; NaN points (not measured that epoch) are left out. */
    static XYChart lines(
            String title, String yTitle, double[] epochs, List<String> names, List<double[]> ys) {
        XYChart c =
                new XYChartBuilder()
                        .width(W)
                        .height(H)
                        .title(title)
                        .xAxisTitle("epoch")
                        .yAxisTitle(yTitle)
                        .build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        for (int s = 0; s < names.size(); s++) {
            double[] y = ys.get(s);
            int n = 0;
            for (double v : y) {
                n += Double.isNaN(v) ? 0 : 1;
            }
            if (n == 0) {
                continue;
            }
            double[] xs = new double[n];
            double[] vs = new double[n];
            for (int i = 0, j = 0; i < y.length; i++) {
                if (!Double.isNaN(y[i])) {
                    xs[j] = epochs[i];
                    vs[j++] = y[i];
                }
            }
            c.addSeries(names.get(s), xs, vs).setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    static CategoryChart bars(String title, List<String> labels, double[] values) {
        CategoryChart c =
                new CategoryChartBuilder()
                        .width(W)
                        .height(H)
                        .title(title)
                        .yAxisTitle("top-1 (%)")
                        .build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisLabelRotation(45);
        java.util.List<Double> v = new java.util.ArrayList<>();
        for (double d : values) {
            v.add(100 * d);
        }
        c.addSeries("top-1", labels, v);
        return c;
    }

    /** A 2-D scatter, one series per class. */
    static XYChart scatter(
            String title, List<String> classes, double[] x, double[] y, int[] labels) {
        XYChart c = new XYChartBuilder().width(W).height(W).title(title).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(4);
        for (int k = 0; k < classes.size(); k++) {
            int n = 0;
            for (int l : labels) {
                n += l == k ? 1 : 0;
            }
            if (n == 0) {
                continue;
            }
            double[] xs = new double[n];
            double[] ys = new double[n];
            for (int i = 0, j = 0; i < labels.length; i++) {
                if (labels[i] == k) {
                    xs[j] = x[i];
                    ys[j++] = y[i];
                }
            }
            c.addSeries(classes.get(k), xs, ys);
        }
        return c;
    }
}
