package io.hookshard.tasks;

import io.hookshard.errors.AlreadyRunning;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BucketsMoveTaskTest {
    @Test
    void bucketRangesPastAnyMapAreRefusedBeforeTheListIsBuilt() {
        assertThat(BucketsMoveTask.parse("0-3,5,2-4")).containsExactly(0, 1, 2, 3, 4, 5);
        assertThatThrownBy(() -> BucketsMoveTask.parse("1023-2147483647"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past any bucket map");
        assertThatThrownBy(() -> BucketsMoveTask.parse(",")).isInstanceOf(IllegalArgumentException.class);
        String repeated = String.join(",", Collections.nCopies(800, "0-1048575"));
        assertThat(BucketsMoveTask.parse(repeated)).hasSize(BucketsMoveTask.MAX_BUCKETS);
    }

    @Test
    void aTaskRefusalIsAClientErrorAndAFailureIsNot() {
        assertThat(TaskEndpoint.statusOf(new IllegalArgumentException("months must be between 0 and 120")))
                .isEqualTo(400);
        assertThat(TaskEndpoint.statusOf(new AlreadyRunning("another bucket move is running"))).isEqualTo(409);
        assertThat(TaskEndpoint.statusOf(new IllegalStateException("verification failed; move aborted")))
                .isEqualTo(500);
        assertThat(TaskEndpoint.statusOf(new IOException("shard-b is down"))).isEqualTo(500);
    }
}
