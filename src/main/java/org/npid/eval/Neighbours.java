package org.npid.eval;

/**
 * The {@code k} nearest bank rows of each of m queries, best first: row-major m × k arrays of
 * cosine scores and bank row ids.
 */
public record Neighbours(int k, float[] scores, int[] ids) {}
