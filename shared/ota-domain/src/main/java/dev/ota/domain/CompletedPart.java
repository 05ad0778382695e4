package dev.ota.domain;

/** One uploaded part of a multipart firmware upload, as S3 needs it to complete the upload. */
public record CompletedPart(int partNumber, String etag) {}
