package dev.ota.domain;

/**
 * What a device needs to fetch and check one firmware image. It is copied onto each execution so
 * that answering a device never costs a firmware lookup.
 */
public record FirmwareRef(String version, String s3Key, long fileSize, String md5sum) {}
