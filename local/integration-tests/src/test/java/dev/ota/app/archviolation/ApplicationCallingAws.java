package dev.ota.app.archviolation;

import software.amazon.awssdk.regions.Region;

/** Breaks the rule on purpose: the application naming an AWS SDK type. Test code only. */
public final class ApplicationCallingAws {
    public Region region() {
        return Region.EU_WEST_1;
    }
}
