package org.npid.export;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.npid.model.Arch;
import org.npid.model.Head;

/**
 * Maps the parameter names DJL gives an {@link org.npid.model.NpidNet} to the state-dict keys of
 * torchvision's ResNet, AlexNet or VGG16_bn, so an exported backbone loads into {@code
 * torchvision.models.resnet18()} (or resnet50, alexnet, vgg16_bn) with {@code strict=True}.
 *
 * <p>AlexNet's and VGG's convolutions are npid's {@code conv1..convN} and their batch norms {@code
 * bn1..bnN}, numbered in order; torchvision's keys are their indices within {@code features}
 * ({@code features.0.weight}, {@code features.1.running_var}, ...), and the head becomes {@code
 * classifier} in place of torchvision's fc6-fc8.
 *
 * <p>DJL names a parameter by the path of child blocks above it, each prefixed with its 1-based
 * position ({@code 01backbone_03layer1_01BasicBlock_02bn1_gamma}); the positions of blocks inside a
 * stage are the torchvision block indices plus one. The network follows torchvision's layout (stem
 * conv and BN, layer1..layer4 of basic or bottleneck blocks, a 1x1 conv + BN projection where the
 * shape changes), so the mapping is a renaming: no tensor is split, merged or reordered.
 */
public final class TorchvisionNames {

    private static final String BLOCK =
            "^\\d+backbone_\\d+layer([1-4])_(\\d+)(?:BasicBlock|Bottleneck)_";
    private static final String BN_PARAM = "(gamma|beta|runningMean|runningVar)$";

    private static final Pattern STEM_CONV = Pattern.compile("^\\d+backbone_\\d+stem_conv_weight$");
    private static final Pattern STEM_BN = Pattern.compile("^\\d+backbone_\\d+stem_bn_" + BN_PARAM);
    private static final Pattern BLOCK_CONV = Pattern.compile(BLOCK + "\\d+(conv[123])_weight$");
    private static final Pattern BLOCK_BN = Pattern.compile(BLOCK + "\\d+(bn[123])_" + BN_PARAM);
    private static final Pattern SHORTCUT_CONV =
            Pattern.compile(BLOCK + "\\d+shortcut_\\d+ChannelsLastConv2d_weight$");
    private static final Pattern SHORTCUT_BN =
            Pattern.compile(BLOCK + "\\d+shortcut_\\d+BatchNorm_" + BN_PARAM);
    private static final Pattern PLAIN_CONV =
            Pattern.compile("^\\d+backbone_\\d+conv(\\d+)_(weight|bias)$");
    private static final Pattern PLAIN_BN =
            Pattern.compile("^\\d+backbone_\\d+bn(\\d+)_" + BN_PARAM);

    /** Index within torchvision's alexnet().features of conv1..conv5. */
    private static final int[] ALEXNET_CONVS = {0, 3, 6, 8, 10};

    /** Index within torchvision's vgg16_bn().features of conv1..conv13; each BN is the next. */
    private static final int[] VGG16_BN_CONVS = {0, 3, 7, 10, 14, 17, 20, 24, 27, 30, 34, 37, 40};

    private static final Pattern HEAD_LINEAR =
            Pattern.compile("^\\d+head_\\d+linear_(weight|bias)$");
    private static final Pattern HEAD_HIDDEN = Pattern.compile("^\\d+head_\\d+hidden_weight$");
    private static final Pattern HEAD_HIDDEN_BN =
            Pattern.compile("^\\d+head_\\d+hidden_bn_" + BN_PARAM);

    /** DJL's batch-norm parameters and PyTorch's names for them. */
    private static final Map<String, String> BN =
            Map.of(
                    "gamma", "weight",
                    "beta", "bias",
                    "runningMean", "running_mean",
                    "runningVar", "running_var");

    /** The key every PyTorch BatchNorm has in its state dict and DJL's has not. */
    public static final String BATCHES_TRACKED = "num_batches_tracked";

    private TorchvisionNames() {}

    /**
     * Returns the torchvision constructor of an architecture.
     *
     * @param arch npid's architecture
     * @return e.g. {@code resnet18}
     */
    public static String model(Arch arch) {
        // An exhaustive switch: a new Arch does not compile until its torchvision model is named.
        return switch (arch) {
            case RESNET18 -> "resnet18";
            case RESNET50 -> "resnet50";
            case ALEXNET -> "alexnet";
            case VGG16_BN -> "vgg16_bn";
        };
    }

    /**
     * Returns the torchvision state-dict key of one parameter of a ResNet.
     *
     * @param djlName the key of {@code block.getParameters()}
     * @param head the kind of head the network has
     * @return the torchvision key
     * @throws IllegalArgumentException for a parameter outside torchvision's ResNet layout
     */
    public static String of(String djlName, Head head) {
        return of(djlName, Arch.RESNET18, head);
    }

    /**
     * Returns the name of the module that holds the head: {@code fc} in torchvision's ResNet,
     * {@code classifier} in its AlexNet and VGG.
     *
     * @param arch npid's architecture
     * @return the attribute of the torchvision model the head replaces
     */
    public static String headModule(Arch arch) {
        return arch.residual() ? "fc" : "classifier";
    }

    /**
     * Returns the torchvision state-dict key of one npid parameter.
     *
     * <p>The head becomes {@code fc}: the paper's linear head is {@code fc.weight}/{@code fc.bias};
     * an MLP head is {@code fc = nn.Sequential(Linear(no bias), BatchNorm1d, ReLU, Linear)}, whose
     * keys are {@code fc.0.weight}, {@code fc.1.*} and {@code fc.3.*}.
     *
     * <p>For AlexNet and VGG the head is {@code classifier} instead of {@code fc}, with the same
     * sub-keys.
     *
     * @param djlName the key of {@code block.getParameters()}
     * @param arch the network's architecture
     * @param head the kind of head the network has
     * @return the torchvision key
     * @throws IllegalArgumentException for a parameter outside torchvision's layout
     */
    public static String of(String djlName, Arch arch, Head head) {
        String fc = headModule(arch);
        if (!arch.residual()) {
            int[] convs = arch == Arch.ALEXNET ? ALEXNET_CONVS : VGG16_BN_CONVS;
            Matcher m = PLAIN_CONV.matcher(djlName);
            if (m.matches()) {
                return "features." + features(convs, m.group(1), djlName) + "." + m.group(2);
            }
            m = PLAIN_BN.matcher(djlName);
            if (arch == Arch.VGG16_BN && m.matches()) {
                return "features."
                        + (features(convs, m.group(1), djlName) + 1)
                        + "."
                        + BN.get(m.group(2));
            }
        } else if (STEM_CONV.matcher(djlName).matches()) {
            return "conv1.weight";
        }
        Matcher m = STEM_BN.matcher(djlName);
        if (m.matches()) {
            return "bn1." + BN.get(m.group(1));
        }
        m = BLOCK_CONV.matcher(djlName);
        if (m.matches()) {
            return block(m) + m.group(3) + ".weight";
        }
        m = BLOCK_BN.matcher(djlName);
        if (m.matches()) {
            return block(m) + m.group(3) + "." + BN.get(m.group(4));
        }
        m = SHORTCUT_CONV.matcher(djlName);
        if (m.matches()) {
            return block(m) + "downsample.0.weight";
        }
        m = SHORTCUT_BN.matcher(djlName);
        if (m.matches()) {
            return block(m) + "downsample.1." + BN.get(m.group(3));
        }
        m = HEAD_LINEAR.matcher(djlName);
        if (m.matches()) {
            return fc + (head == Head.MLP ? ".3." : ".") + m.group(1);
        }
        if (head == Head.MLP && HEAD_HIDDEN.matcher(djlName).matches()) {
            return fc + ".0.weight";
        }
        m = HEAD_HIDDEN_BN.matcher(djlName);
        if (head == Head.MLP && m.matches()) {
            return fc + ".1." + BN.get(m.group(1));
        }
        throw unknown(djlName);
    }

    /**
     * Returns the index within torchvision's {@code features} of an AlexNet or VGG16_bn
     * convolution; VGG's batch norm after it is the next index.
     *
     * @param arch AlexNet or VGG16_bn
     * @param conv the convolution's position, 0-based
     * @return e.g. 3 for AlexNet's second convolution ({@code features.3.weight})
     */
    public static int featuresIndex(Arch arch, int conv) {
        if (arch.residual()) {
            throw new IllegalArgumentException(arch + " has no torchvision features list");
        }
        int[] convs = arch == Arch.ALEXNET ? ALEXNET_CONVS : VGG16_BN_CONVS;
        if (conv < 0 || conv >= convs.length) {
            throw new IllegalArgumentException(
                    arch + " has " + convs.length + " convolutions, not a number " + (conv + 1));
        }
        return convs[conv];
    }

    private static int features(int[] convs, String ordinal, String djlName) {
        int i = Integer.parseInt(ordinal) - 1;
        if (i < 0 || i >= convs.length) {
            throw unknown(djlName);
        }
        return convs[i];
    }

    private static IllegalArgumentException unknown(String djlName) {
        return new IllegalArgumentException(
                "parameter "
                        + djlName
                        + " has no torchvision name: npid export knows the resnet18, resnet50,"
                        + " alexnet and vgg16_bn backbones with a linear or MLP head; export a"
                        + " checkpoint of one of those");
    }

    /**
     * Returns the batch counter PyTorch keeps beside a BN layer's running variance. DJL keeps no
     * counter; PyTorch reads it only when a BN's momentum is None (a cumulative average), so the
     * export writes 0 and a strict load still finds every key.
     *
     * @param torchName a torchvision key
     * @return {@code prefix.num_batches_tracked} when {@code torchName} is a running variance
     */
    public static Optional<String> batchCounter(String torchName) {
        String suffix = ".running_var";
        return torchName.endsWith(suffix)
                ? Optional.of(
                        torchName.substring(0, torchName.length() - suffix.length())
                                + "."
                                + BATCHES_TRACKED)
                : Optional.empty();
    }

    private static String block(Matcher m) {
        int index = Integer.parseInt(m.group(2)) - 1;
        return "layer" + m.group(1) + "." + index + ".";
    }
}
