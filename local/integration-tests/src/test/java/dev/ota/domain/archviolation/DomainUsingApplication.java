package dev.ota.domain.archviolation;

import dev.ota.app.Priming;

/** Breaks the layers on purpose: the domain reaching into the application. Test code only. */
public final class DomainUsingApplication {
    public String device() {
        return Priming.DEVICE.deviceName();
    }
}
