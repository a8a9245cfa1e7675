package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
    void aZeroRateKeepsTorchsBufferMoving() {
        // Continuing the sequence above. lr = 0: g = 1 + 0.5·0.5346625 = 1.26733125,
        // buf = 0.9·3.78375 + 1.26733125 = 4.67270625, w stays 0.5346625.
        // lr = 0.01: buf = 0.9·4.67270625 + 1.26733125 = 5.472768875, w = 0.47993481125.
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f});
            NDArray g = m.create(new float[] {1f});
            PyTorchSgd sgd = new PyTorchSgd(0.1f, 0.9f, 0.5f);
            sgd.update("w", w, g);
            sgd.update("w", w, g);
            sgd.setLearningRate(0.01f);
            sgd.update("w", w, g);
            sgd.setLearningRate(0f);
            sgd.update("w", w, g);
            assertThat(w.getFloat(0)).isCloseTo(0.5346625f, within(1e-6f));
            sgd.setLearningRate(0.01f);
            sgd.update("w", w, g);
            assertThat(w.getFloat(0)).isCloseTo(0.4799348f, within(1e-6f));
        }
    }

    @Test
    void checkpointsHoldTheVelocityAndItsScaleWhoseRatioIsTorchsBuffer() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(m.create(new float[] {1f}));
            NDArray g = m.create(new float[] {1f});
            PairList<String, Parameter> params = new PairList<>();
            params.add("w", p);
            PyTorchSgd sgd = new PyTorchSgd(0.1f, 0.9f, 0.5f);
            sgd.update(p.getId(), p.getArray(), g);
            sgd.update(p.getId(), p.getArray(), g);
            sgd.setLearningRate(0.01f);
            sgd.update(p.getId(), p.getArray(), g);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            sgd.save(params, bytes);
            try (NDList saved = NDList.decode(m, bytes.toByteArray())) {
                assertThat(saved.get(0).getFloat(0) / saved.get(1).getFloat(0))
                        .isCloseTo(3.78375f, within(1e-5f));
            }
            // A restored optimiser continues as the original would: the lr = 0.01 step again.
            PyTorchSgd restored = new PyTorchSgd(0.01f, 0.9f, 0.5f);
            restored.load(params, m, new ByteArrayInputStream(bytes.toByteArray()));
            restored.update(p.getId(), p.getArray(), g);
            // g = 1 + 0.5·0.5346625, buf = 0.9·3.78375 + g = 4.67270625, w = 0.5346625 −
            // 0.0467270625
            assertThat(p.getArray().getFloat(0)).isCloseTo(0.48793542f, within(1e-6f));
        }
    }

    @Test
    void aCheckpointWithoutScalesHoldsTorchsBufferAtScaleOne() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(m.create(new float[] {0.5346625f}));
            PairList<String, Parameter> params = new PairList<>();
            params.add("w", p);
            NDArray buf = m.create(new float[] {3.78375f});
            buf.setName("w");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            new NDList(buf).encode(bytes);
            PyTorchSgd restored = new PyTorchSgd(0.01f, 0.9f, 0.5f);
            restored.load(params, m, new ByteArrayInputStream(bytes.toByteArray()));
            restored.update(p.getId(), p.getArray(), m.create(new float[] {1f}));
            assertThat(p.getArray().getFloat(0)).isCloseTo(0.48793542f, within(1e-6f));
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
