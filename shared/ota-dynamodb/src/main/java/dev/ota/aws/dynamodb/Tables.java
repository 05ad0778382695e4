package dev.ota.aws.dynamodb;

/** The four table names. */
public record Tables(String devices, String jobs, String executions, String firmware) {}
