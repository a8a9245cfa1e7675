package org.npid.spark;

import java.io.Serializable;

/**
 * One row of a vector table: its id (its rank in path order), class label (-1: none) and vector.
 */
@SuppressWarnings("ArrayRecordComponent") // rows are moved, never compared
record VectorRow(long id, int label, float[] vector) implements Serializable {}
