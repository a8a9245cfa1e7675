package org.npid.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Chooses where the network runs. */
public final class Devices {

    private Devices() {}

    /**
     * Returns the first GPU when the engine sees one, otherwise the CPU, so the same code runs on a
     * laptop and on an accelerator machine.
     *
     * @return the device to place the model and its inputs on
     */
    public static Device best() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
