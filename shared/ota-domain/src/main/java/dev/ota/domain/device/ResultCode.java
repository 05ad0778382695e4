package dev.ota.domain.device;

import dev.ota.domain.InvalidMessageException;

/** Failure codes a device reports with {@code state: fail}, as the SDKs use them in practice. */
public enum ResultCode {
    DOWNLOAD_TIMEOUT(-1, "download timed out"),
    FILE_NOT_FOUND(-2, "file does not exist (HTTP 404)"),
    SIGNATURE_EXPIRED(-3, "signature expired or invalid (HTTP 403)"),
    MD5_MISMATCH(-4, "MD5 mismatch"),
    UPDATE_FAILED(-5, "firmware update failed");

    private final int code;
    private final String meaning;

    ResultCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    public static ResultCode of(int code) {
        for (ResultCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new InvalidMessageException("result_code " + code + " is not one of -1..-5");
    }
}
