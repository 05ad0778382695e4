package dev.ota.testing;

import dev.ota.domain.FirmwareRef;
import dev.ota.port.out.DownloadUrlMinter;
import java.util.ArrayList;
import java.util.List;

/** Mints a different URL on every call, so a test can tell a fresh URL from a reused one. */
public final class CountingUrlMinter implements DownloadUrlMinter {

    private final List<FirmwareRef> minted = new ArrayList<>();

    @Override
    public String mint(FirmwareRef firmware) {
        minted.add(firmware);
        return "https://firmware.example.com/" + firmware.s3Key() + "?sig=" + minted.size();
    }

    public int count() {
        return minted.size();
    }

    public List<FirmwareRef> minted() {
        return minted;
    }
}
