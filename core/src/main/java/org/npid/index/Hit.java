package org.npid.index;

/**
 * One search result.
 *
 * @param id row of the indexed matrix
 * @param score inner product between query and row (cosine for unit vectors)
 */
public record Hit(int id, float score) {}
