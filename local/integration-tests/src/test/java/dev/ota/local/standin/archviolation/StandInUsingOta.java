package dev.ota.local.standin.archviolation;

import dev.ota.aws.presign.PresignConfig;

/** Breaks the rule on purpose: a stand-in naming an OTA type (what LocalClients.presignConfig was). Test code only. */
public final class StandInUsingOta {
    public Class<?> config() {
        return PresignConfig.class;
    }
}
