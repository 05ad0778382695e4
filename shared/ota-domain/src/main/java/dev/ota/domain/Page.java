package dev.ota.domain;

import java.util.List;

/** One page of a listing; {@code nextToken} is null on the last page and opaque to clients. */
public record Page<T>(List<T> items, String nextToken) {}
