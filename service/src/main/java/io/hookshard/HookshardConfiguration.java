package io.hookshard;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.hookshard.config.AdminFactory;
import io.hookshard.config.ConsumersFactory;
import io.hookshard.config.IngestFactory;
import io.hookshard.config.KafkaFactory;
import io.hookshard.config.OutboxFactory;
import io.hookshard.config.ShardsFactory;
import io.hookshard.config.WebhooksFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

public class HookshardConfiguration extends Configuration {
    @Valid
    @NotNull
    private KafkaFactory kafka = new KafkaFactory();

    @Valid
    @NotNull
    private ConsumersFactory consumers = new ConsumersFactory();

    @Valid
    @NotNull
    private ShardsFactory shards = new ShardsFactory();

    @Valid
    @NotNull
    private WebhooksFactory webhooks = new WebhooksFactory();

    @Valid
    @NotNull
    private IngestFactory ingest = new IngestFactory();

    @Valid
    @NotNull
    private AdminFactory admin = new AdminFactory();

    @Valid
    @NotNull
    private OutboxFactory outbox = new OutboxFactory();

    @JsonProperty
    public OutboxFactory getOutbox() {
        return outbox;
    }

    @JsonProperty
    public void setOutbox(OutboxFactory outbox) {
        this.outbox = outbox;
    }

    @JsonProperty
    public AdminFactory getAdmin() {
        return admin;
    }

    @JsonProperty
    public void setAdmin(AdminFactory admin) {
        this.admin = admin;
    }

    @JsonProperty
    public IngestFactory getIngest() {
        return ingest;
    }

    @JsonProperty
    public void setIngest(IngestFactory ingest) {
        this.ingest = ingest;
    }

    @JsonProperty
    public KafkaFactory getKafka() {
        return kafka;
    }

    @JsonProperty
    public void setKafka(KafkaFactory kafka) {
        this.kafka = kafka;
    }

    @JsonProperty
    public ConsumersFactory getConsumers() {
        return consumers;
    }

    @JsonProperty
    public void setConsumers(ConsumersFactory consumers) {
        this.consumers = consumers;
    }

    @JsonProperty
    public ShardsFactory getShards() {
        return shards;
    }

    @JsonProperty
    public void setShards(ShardsFactory shards) {
        this.shards = shards;
    }

    @JsonProperty
    public WebhooksFactory getWebhooks() {
        return webhooks;
    }

    @JsonProperty
    public void setWebhooks(WebhooksFactory webhooks) {
        this.webhooks = webhooks;
    }

    /** No redelivery may outlive the inbox row that makes it a duplicate: no record may stay in a topic longer. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    @io.dropwizard.validation.ValidationMethod(message = "shards.partitions.inboxRetention must be 0 (keep every row)"
            + " or longer than kafka.topics.retention and kafka.topics.deadLetterRetention")
    public boolean isInboxRetentionLongerThanTopicRetention() {
        long inbox = shards.getPartitions().getInboxRetention().toMilliseconds();
        return inbox == 0 || inbox > kafka.getTopics().getRetention().toMilliseconds()
                && inbox > kafka.getTopics().getDeadLetterRetention().toMilliseconds();
    }
}
