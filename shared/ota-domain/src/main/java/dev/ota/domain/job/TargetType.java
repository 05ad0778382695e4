package dev.ota.domain.job;

/**
 * Which devices a job targets: devices on some versions, a list inline or in a file, the whole
 * product, or the AWS IoT things of a thing group (static or dynamic) or of a fleet-indexing query.
 */
public enum TargetType {
    SOURCE_VERSIONS,
    DEVICE_LIST,
    DEVICE_LIST_FILE,
    PRODUCT,
    THING_GROUP,
    FLEET_QUERY;

    /** Whether its devices are read from the AWS IoT registry, which only the job worker may call. */
    public boolean fromIotRegistry() {
        return this == THING_GROUP || this == FLEET_QUERY;
    }
}
