package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.db.DataSourceFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.List;

/** One PostgreSQL primary and, optionally, the bucket ranges it owns ("0-511"). */
public class ShardFactory {
    @NotNull
    @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}", message = "must be lower-case letters, digits, '-' or '_'")
    private String id;

    /** Null: not given (an even split applies). Empty: the shard owns no bucket yet. */
    private List<String> buckets;

    @Valid
    @NotNull
    private DataSourceFactory database = new DataSourceFactory();

    @JsonProperty
    public String getId() {
        return id;
    }

    @JsonProperty
    public void setId(String id) {
        this.id = id;
    }

    @JsonProperty
    public List<String> getBuckets() {
        return buckets;
    }

    @JsonProperty
    public void setBuckets(List<String> buckets) {
        this.buckets = buckets;
    }

    @JsonProperty
    public DataSourceFactory getDatabase() {
        return database;
    }

    @JsonProperty
    public void setDatabase(DataSourceFactory database) {
        this.database = database;
    }
}
