package io.hookshard.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;

/** Envelope <-> Kafka record value (UTF-8 JSON). */
public final class EnvelopeCodec {
    private final ObjectReader reader;
    private final ObjectWriter writer;

    public EnvelopeCodec(ObjectMapper mapper) {
        // received_at travels as an RFC 3339 string, whatever the application's mapper does with dates.
        ObjectMapper envelopeMapper = mapper.copy().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        this.reader = envelopeMapper.readerFor(Envelope.class);
        this.writer = envelopeMapper.writerFor(Envelope.class);
    }

    public byte[] encode(Envelope envelope) {
        try {
            return writer.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an envelope of JSON nodes always serializes", e);
        }
    }

    /** @throws InvalidEventException when the bytes are not an envelope; such a record can never succeed */
    public Envelope decode(byte[] value) throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException("undecodable_envelope", "record has no value");
        }
        try {
            return reader.readValue(value);
        } catch (IOException | RuntimeException e) {
            throw new InvalidEventException("undecodable_envelope", "not an envelope: " + e.getMessage());
        }
    }
}
