package org.npid.finetune;

/**
 * What one fine-tuning run measured.
 *
 * @param labelFraction the share of each class's labels asked for
 * @param scratch whether the network started from random weights instead of the checkpoint's
 * @param labelledImages training images whose labels were used (the class-balanced subset)
 * @param classes classes with labelled images (a data set may name classes it has no images of)
 * @param steps SGD steps taken
 * @param trainLoss mean cross-entropy of the last {@value FineTune#LOSS_WINDOW} steps (fewer when
 *     the run had fewer)
 * @param testImages test images evaluated
 * @param top1 share of them classified correctly, in [0, 1]
 * @param seconds wall time of the whole run, data loading and evaluation included
 */
public record FineTuneResult(
        double labelFraction,
        boolean scratch,
        int labelledImages,
        int classes,
        int steps,
        double trainLoss,
        int testImages,
        double top1,
        double seconds) {}
