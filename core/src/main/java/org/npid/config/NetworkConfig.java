package org.npid.config;

import static org.npid.config.Checks.present;
import static org.npid.config.Checks.require;

import org.npid.model.Arch;
import org.npid.model.Head;
import org.npid.model.NetworkShape;
import org.npid.model.Stem;

/**
 * The {@code model:} section: the backbone and the head that map an image to its embedding.
 *
 * @param arch backbone architecture
 * @param stem first layers, chosen by input resolution
 * @param width multiplier of the torchvision channel counts (ResNet's 64-128-256-512)
 * @param embeddingDim d, the size of the unit-norm embedding
 * @param head the layers from the pooled features to the embedding
 */
public record NetworkConfig(Arch arch, Stem stem, double width, int embeddingDim, Head head) {
    public NetworkConfig {
        present(arch, "model.arch", "resnet18, resnet50, alexnet or vgg16_bn");
        present(stem, "model.stem", "cifar or imagenet");
        present(head, "model.head", "linear or mlp");
        require(width > 0, "model.width", "must be positive, got " + width);
        require(embeddingDim > 0, "model.embedding_dim", "must be positive, got " + embeddingDim);
    }

    /** Why each default is what it is. */
    static NetworkConfig defaults() {
        return new NetworkConfig(
                Arch.RESNET18, // the paper's CIFAR backbone
                Stem.CIFAR, // 3x3 conv, no max-pool; the ImageNet stem throws away 32-px detail
                0.25, // 16-32-64-128 channels, what 2 CPU cores train in minutes
                128, // the paper's d
                Head.LINEAR); // the paper's; mlp = SimCLR's projector (evaluate the backbone)
    }

    /** The network for data with {@code channels} input channels (1 grey, 3 RGB). */
    public NetworkShape forChannels(int channels) {
        return new NetworkShape(arch, stem, width, embeddingDim, channels, head);
    }
}
