package io.hookshard.tasks;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskParametersTest {
    @Test
    void aParameterGivenEmptyOrTwiceIsRefusedNotTakenForAbsentOrItsFirstValue() {
        assertThat(TaskParameters.string(Map.of(), "topic")).isNull();
        assertThatThrownBy(() -> TaskParameters.string(Map.of("topic", List.of("")), "topic"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic is empty");
        assertThatThrownBy(() -> TaskParameters.string(Map.of("event_id", List.of(" ")), "event_id"))
                .hasMessageContaining("event_id is empty");
        assertThatThrownBy(() -> TaskParameters.integer(Map.of("months", List.of("3", "500")), "months", 3, 0, 120))
                .hasMessageContaining("months is given 2 times");
    }

    @Test
    void aParameterTheTaskDoesNotTakeIsRefusedNotIgnored() {
        TaskParameters.only(Map.of("dry_run", List.of("true")), "topic", "dry_run");
        assertThatThrownBy(() -> TaskParameters.only(Map.of("dryrun", List.of("true")), "topic", "dry_run"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown parameter dryrun; this task takes topic, dry_run");
    }

    @Test
    void aFlagIsTrueOrFalseInAnyCaseAndNothingElse() {
        assertThat(TaskParameters.flag(Map.of(), "dry_run")).isFalse();
        for (String yes : List.of("true", "TRUE", "Yes", "1")) {
            assertThat(TaskParameters.flag(Map.of("dry_run", List.of(yes)), "dry_run")).as(yes).isTrue();
        }
        for (String no : List.of("false", "No", "0")) {
            assertThat(TaskParameters.flag(Map.of("dry_run", List.of(no)), "dry_run")).as(no).isFalse();
        }
        assertThatThrownBy(() -> TaskParameters.flag(Map.of("dry_run", List.of("ture")), "dry_run"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dry_run must be true or false");
    }
}
