package io.hookshard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A webhook body under construction for {@link HostileCorpus}: its members (decoded name, JSON text of the value),
 * rendered in a shuffled order with random whitespace, and what makes it hostile (or invalid).
 */
final class BodyDraft {
    final HostileCorpus.Event event;
    private final HostileJson json;
    private final Random random;
    final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();
    /** Names written as they are, escapes and all (the lone surrogate cases). */
    final Set<String> rawNames = new HashSet<>();
    private final List<String> notes = new ArrayList<>();
    boolean escapeNames;
    boolean large;
    boolean duplicate;
    boolean duplicateEscaped;
    String trailer = "";

    BodyDraft(HostileCorpus.Event event, HostileJson json, Random random) {
        this.event = event;
        this.json = json;
        this.random = random;
    }

    /** Sets a member: {@code value} is JSON text, {@code name} decoded (written escaped at random). */
    void put(String name, String value) {
        int index = names.indexOf(name);
        if (index >= 0) {
            values.set(index, value);
        } else {
            names.add(name);
            values.add(value);
        }
    }

    void remove(String name) {
        int index = names.indexOf(name);
        names.remove(index);
        values.remove(index);
    }

    void note(String note) {
        notes.add(note);
    }

    String why() {
        return notes.isEmpty() ? "plain" : String.join("; ", notes);
    }

    String render() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            members.add(member(names.get(i), values.get(i)));
        }
        if (duplicate) {
            int i = random.nextInt(names.size());
            members.add(member(names.get(i), values.get(i)));
        }
        if (duplicateEscaped) {
            members.add("\"provider\\u005fevent_id\":\"another\"");
        }
        Collections.shuffle(members, random);
        String body = "{" + json.ws() + String.join(json.ws() + "," + json.ws(), members) + json.ws() + "}"
                + trailer;
        return random.nextInt(6) == 0 ? json.ws() + " " + body + json.ws() + "\n" : body;
    }

    private String member(String name, String value) {
        String key = rawNames.contains(name) ? "\"" + name + "\"" : escapeNames ? escapedName(name) : json.name(name);
        return key + json.ws() + ":" + json.ws() + value;
    }

    private String escapedName(String name) {
        StringBuilder out = new StringBuilder("\"");
        name.codePoints().forEach(cp -> {
            if (cp > 0xFFFF) {
                out.appendCodePoint(cp);
            } else {
                out.append(json.unicode((char) cp));
            }
        });
        return out.append('"').toString();
    }
}
