package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class PyTorchSgdTest {

    @Test
    void followsTorchOptimSgdAcrossALearningRateDrop() {
        // torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5), w0 = 1, grad = 1:
        // step 1: g = 1 + 0.5·1 = 1.5, buf = 1.5, w = 1 − 0.15 = 0.85
        // step 2: g = 1 + 0.425 = 1.425, buf = 0.9·1.5 + 1.425 = 2.775, w = 0.85 − 0.2775 = 0.5725
        // lr → 0.01: g = 1 + 0.28625 = 1.28625, buf = 0.9·2.775 + 1.28625 = 3.78375,
        //            w = 0.5725 − 0.0378375 = 0.5346625
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f});
            NDArray g = m.create(new float[] {1f});
            PyTorchSgd sgd = new PyTorchSgd(0.1f, 0.9f, 0.5f);
            sgd.update("w", w, g);
            assertThat(w.getFloat(0)).isCloseTo(0.85f, within(1e-6f));
            sgd.update("w", w, g);
            assertThat(w.getFloat(0)).isCloseTo(0.5725f, within(1e-6f));
            sgd.setLearningRate(0.01f);
            sgd.update("w", w, g);
            assertThat(w.getFloat(0)).isCloseTo(0.5346625f, within(1e-6f));
        }
    }

    @Test
    void leavesNoTemporariesBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, 2f});
            NDArray g = m.create(new float[] {1f, 1f});
            PyTorchSgd sgd = new PyTorchSgd(0.1f, 0.9f, 5e-4f);
            sgd.update("w", w, g);
            int live = m.getManagedArrays().size();
            for (int i = 0; i < 50; i++) {
                sgd.update("w", w, g);
            }
            assertThat(m.getManagedArrays()).hasSize(live);
        }
    }
}
