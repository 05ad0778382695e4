package dev.ota.domain.job;

/** Which devices a job targets: devices on some versions, a list inline or in a file, or the whole product. */
public enum TargetType {
    SOURCE_VERSIONS,
    DEVICE_LIST,
    DEVICE_LIST_FILE,
    PRODUCT
}
