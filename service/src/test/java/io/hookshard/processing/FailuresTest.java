package io.hookshard.processing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class FailuresTest {
    @ParameterizedTest
    @ValueSource(strings = {"40001", "40P01", "08006", "57P01", "53300", "55P03"})
    void serializationFailuresDeadlocksAndLostConnectionsAreTransient(String sqlState) {
        assertThat(Failures.isPermanent(new RuntimeException(new SQLException("x", sqlState)))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"22008", "22021", "23505", "23514"})
    void dataExceptionsAndConstraintViolationsArePermanent(String sqlState) {
        assertThat(Failures.isPermanent(new RuntimeException(new SQLException("x", sqlState)))).isTrue();
    }

    @Test
    void aFailureWithoutSqlStateIsTransient() {
        assertThat(Failures.isPermanent(new IllegalStateException("pool exhausted"))).isFalse();
    }
}
