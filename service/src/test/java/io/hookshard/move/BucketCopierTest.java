package io.hookshard.move;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BucketCopierTest {
    @Test
    void copiesASmallDeltaInOneChunkWhateverItsBuckets() {
        assertThat(BucketCopier.bucketsPerChunk(0, 256)).isEqualTo(256);
        assertThat(BucketCopier.bucketsPerChunk(260, 256)).isEqualTo(256);
        assertThat(BucketCopier.bucketsPerChunk(BucketCopier.ROWS_PER_CHUNK, 256)).isEqualTo(256);
    }

    @Test
    void splitsALargeCopySoThatAChunkHoldsAboutTheRowsAChunkIsSizedFor() {
        assertThat(BucketCopier.bucketsPerChunk(1_000_000, 256)).isEqualTo(5);
        assertThat(BucketCopier.bucketsPerChunk(BucketCopier.ROWS_PER_CHUNK + 1, 256)).isEqualTo(255);
        assertThat(BucketCopier.bucketsPerChunk(100_000_000, 256)).isEqualTo(1);
        assertThat(BucketCopier.bucketsPerChunk(1_000_000, 1)).isEqualTo(1);
    }
}
