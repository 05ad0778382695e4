package dev.ota.domain.archviolation;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Breaks the plain-Java domain on purpose: JSON in the domain. Test code only. */
public final class DomainUsingJson {
    public ObjectMapper mapper() {
        return new ObjectMapper();
    }
}
