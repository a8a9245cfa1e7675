package org.npid.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.npid.data.ImageDataset;

/**
 * Reads the neighbour table {@code npid-spark neighbours} writes ({@code OUT.neighbours.tsv}: a
 * header, then a line per image with its id, its file and its neighbours' ids, comma-separated,
 * best first) as the neighbourhood loss's positives table: row i is training image i, then its k
 * nearest other training images. Rows are matched to the training images by file path, so the
 * table's order does not matter; neighbours that are not training images are passed over.
 */
final class NeighbourTable {
    private NeighbourTable() {}

    static int[] read(Path file, ImageDataset train, int k) {
        int n = train.size();
        Map<String, Integer> index = new HashMap<>(2 * n);
        for (int i = 0; i < n; i++) {
            index.put(normal(train.source(i)), i);
        }
        Map<Long, Integer> byId = new HashMap<>(2 * n);
        Map<Integer, long[]> lists = new HashMap<>(2 * n);
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("id\tsource\tneighbours")) {
                throw new IllegalArgumentException(
                        file
                                + " is not a neighbour table: its first line should be"
                                + " 'id<TAB>source<TAB>neighbours' (npid-spark neighbours writes"
                                + " OUT.neighbours.tsv)");
            }
            String line;
            int at = 1;
            while ((line = r.readLine()) != null) {
                at++;
                String[] f = line.split("\t", -1);
                if (f.length != 3) {
                    throw new IllegalArgumentException(
                            file
                                    + " line "
                                    + at
                                    + ": expected 3 tab-separated fields, got "
                                    + f.length);
                }
                Integer image = index.get(normal(f[1]));
                if (image == null) {
                    continue;
                }
                long id = Long.parseLong(f[0]);
                byId.put(id, image);
                lists.put(
                        image,
                        f[2].isEmpty()
                                ? new long[0]
                                : Arrays.stream(f[2].split(","))
                                        .mapToLong(Long::parseLong)
                                        .toArray());
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(
                    "objective.neighbour_table: no file at "
                            + file
                            + "; run npid-spark neighbours on the training images first",
                    e);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(
                    file
                            + " is not a neighbour table: it is not UTF-8 text (is it another"
                            + " file? npid-spark neighbours writes OUT.neighbours.tsv)",
                    e);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(
                    file
                            + " is not a neighbour table: a source is not a file path ("
                            + e.getMessage()
                            + ")",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    file + ": an id is not a number (" + e.getMessage() + ")", e);
        }
        for (int i = 0; i < n; i++) {
            if (!lists.containsKey(i)) {
                throw new IllegalArgumentException(
                        file
                                + " has no row for training image "
                                + train.source(i)
                                + ": run npid-spark neighbours on the same images the run trains on");
            }
        }
        int[] table = new int[n * (k + 1)];
        // seenBy[j] == i + 1: image j is already among image i's neighbours.
        int[] seenBy = new int[n];
        for (int i = 0; i < n; i++) {
            long[] ids = lists.get(i);
            table[i * (k + 1)] = i;
            int found = 0;
            for (int j = 0; j < ids.length && found < k; j++) {
                Integer other = byId.get(ids[j]);
                if (other != null && other != i) {
                    if (seenBy[other] == i + 1) {
                        // One image counted k times would pass as k neighbours and pull the
                        // embedding towards it alone.
                        throw new IllegalArgumentException(
                                file
                                        + " lists "
                                        + train.source(other)
                                        + " (id "
                                        + ids[j]
                                        + ") more than once among the neighbours of "
                                        + train.source(i)
                                        + ": a neighbour table gives distinct neighbours; write"
                                        + " it again with npid-spark neighbours");
                    }
                    seenBy[other] = i + 1;
                    table[i * (k + 1) + 1 + found++] = other;
                }
            }
            if (found < k) {
                throw new IllegalArgumentException(
                        file
                                + " gives "
                                + found
                                + " neighbours among the training images for "
                                + train.source(i)
                                + ", and the run needs objective.neighbours = "
                                + k
                                + ": run npid-spark neighbours with a larger --k, or lower"
                                + " objective.neighbours");
            }
        }
        return table;
    }

    /** A file as an absolute, normalised path, however it was written. */
    private static String normal(String source) {
        return Path.of(source).toAbsolutePath().normalize().toString();
    }
}
