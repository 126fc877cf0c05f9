package dev.jtorch.nn;

import java.util.List;

/**
 * What a non-strict {@link Module#loadStateDict(java.util.Map, boolean)} could not match.
 *
 * @param missingKeys keys the module has and the source lacked (left unchanged)
 * @param unexpectedKeys keys the source had and the module does not (ignored)
 */
public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}
