package org.npid.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.npid.data.Image;
import org.npid.data.ImageDataset;
import org.npid.index.Hit;

/**
 * The paper's Figure 5: each row a test query (blue frame) and its nearest training images, framed
 * green when they share the query's class and red when not. A picture composition, not a plot, so
 * it is drawn with Java2D.
 */
final class RetrievalGrid {
    private static final int CELL = 72;
    private static final int PAD = 6;

    private RetrievalGrid() {}

    static String png(
            ImageDataset queries, ImageDataset base, List<Integer> rows, List<List<Hit>> hits) {
        int cols = 1 + hits.get(0).size();
        int w = cols * (CELL + PAD) + PAD * 3;
        int h = rows.size() * (CELL + PAD) + PAD;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION,
                RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setStroke(new BasicStroke(4));
        for (int r = 0; r < rows.size(); r++) {
            int q = rows.get(r);
            int y = PAD + r * (CELL + PAD);
            draw(g, queries.image(q), PAD, y, new Color(40, 90, 220));
            List<Hit> row = hits.get(r);
            for (int j = 0; j < row.size(); j++) {
                int id = row.get(j).id();
                boolean same = base.label(id) == queries.label(q);
                int x = PAD * 3 + (j + 1) * (CELL + PAD);
                draw(
                        g,
                        base.image(id),
                        x,
                        y,
                        same ? new Color(30, 160, 60) : new Color(210, 40, 40));
            }
        }
        g.dispose();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            ImageIO.write(out, "png", bytes);
            return "data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void draw(Graphics2D g, Image img, int x, int y, Color frame) {
        g.drawImage(img.toBufferedImage(), x, y, CELL, CELL, null);
        g.setColor(frame);
        g.drawRect(x, y, CELL, CELL);
    }
}
