package org.npid.cli;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the configuration keys that library errors name to the flags of this CLI. A library error
 * names a key in one of two forms, and only these are rewritten: {@code (KEY)}, e.g. "lower the
 * learning rate (optimiser.lr)", becomes "(--lr, or --set optimiser.lr=…)"; {@code set KEY: VALUE},
 * e.g. "set objective.neighbour_source: features", gains "(--set
 * objective.neighbour_source=features)". Other text, keys named in passing included, is left as it
 * is.
 */
final class FlagNames {

    /**
     * A key and the flag that sets it.
     *
     * @param key the configuration key (or library option: {@code resume}, {@code overwrite})
     * @param flag the CLI flag, or null where only {@code --set} sets it
     * @param settable whether {@code --set KEY=VALUE} sets it too
     */
    record Entry(String key, String flag, boolean settable) {}

    /** The keys library errors name, and the flags that set them. */
    static final List<Entry> ENTRIES =
            List.of(
                    new Entry("optimiser.lr", "--lr", true),
                    new Entry("lr", "--lr", false), // npid finetune's learning rate
                    new Entry("epochs", "--epochs", true),
                    new Entry("time_budget", "--time", true),
                    new Entry("step_budget", "--steps", true),
                    new Entry("run_dir", "--run-dir", true),
                    new Entry("data", "--data", false), // npid experiment has --data only
                    new Entry("objective", "--objective", true),
                    new Entry("objective.neighbour_source", null, true),
                    new Entry("resume", "--resume", false),
                    new Entry("overwrite", "--overwrite", false));

    private FlagNames() {}

    /** The flags that set a key: "--lr, or --set optimiser.lr=…", "--resume", "--set k=…". */
    static String flags(Entry e, String value) {
        String set = "--set " + e.key() + "=" + value;
        if (e.flag() == null) {
            return set;
        }
        String flag = value.equals("…") ? e.flag() : e.flag() + " " + value;
        return e.settable() ? flag + ", or " + set : flag;
    }

    /**
     * Rewrites the keys a library message names into the flags that set them.
     *
     * @param message a library error's message
     * @return the message as the CLI's user should read it
     */
    static String apply(String message) {
        String m = message;
        for (Entry e : ENTRIES) {
            String k = Pattern.quote(e.key());
            Matcher x =
                    Pattern.compile("\\(" + k + "\\)|set " + k + ": ([^\\s,;()]*[^\\s,;().])")
                            .matcher(m);
            StringBuilder sb = new StringBuilder();
            while (x.find()) {
                String replacement =
                        x.group(1) == null
                                ? "(" + flags(e, "…") + ")"
                                : x.group() + " (" + flags(e, x.group(1)) + ")";
                x.appendReplacement(sb, Matcher.quoteReplacement(replacement));
            }
            x.appendTail(sb);
            m = sb.toString();
        }
        return m;
    }
}
