package dev.jtorch.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON reader for metadata inside model files (a checkpoint's {@code checkpoint.json}): small
 * documents that an attacker controls, so every dimension is bounded before parsing starts.
 *
 * <p>Jackson's defaults allow nesting 500 deep, 20 MB strings and unbounded token counts: a 2 MB
 * document of that shape cost tens of seconds and gigabytes. The metadata jtorch writes is a few hundred bytes,
 * a dozen levels deep at most, with short numbers.
 */
final class MetadataJson {
    /** Metadata larger than this is refused unread. */
    static final int MAX_BYTES = 1 << 20;

    static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxNumberLength(64)
                    .maxStringLength(64 << 10)
                    .maxNameLength(1 << 10)
                    .maxDocumentLength(MAX_BYTES)
                    .maxTokenCount(100_000)
                    .build())
            .build());

    private MetadataJson() {}
}
