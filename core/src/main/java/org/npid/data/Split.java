package org.npid.data;

/** Which part of a data set to read. */
public enum Split {
    TRAIN,
    TEST
}
