package dev.ota.app.firmware;

import dev.ota.domain.CompletedPart;
import dev.ota.domain.Firmware;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.OperatorException;
import dev.ota.domain.OperatorException.Code;
import dev.ota.domain.Page;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.FirmwareVersion;
import dev.ota.log.StructuredLog;
import dev.ota.port.in.FirmwareOperations;
import dev.ota.port.out.FirmwareCatalog;
import dev.ota.port.out.FirmwareCatalog.Upload;
import dev.ota.port.out.FirmwareUploads;
import dev.ota.port.out.LiveJobs;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The firmware catalogue as operators drive it. Bytes never pass through here: an upload reserves
 * productId + version (status UPLOADING, with the declared size and md5sum) and hands out presigned
 * S3 URLs; the S3-triggered registration then verifies the bytes and settles the record as
 * AVAILABLE or REJECTED.
 */
public final class FirmwareCatalogService implements FirmwareOperations {

    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    static final Pattern MD5 = Pattern.compile("[0-9a-fA-F]{32}");
    public static final int MAX_DESCRIPTION = 1024;
    public static final int MAX_LIMIT = 100;
    public static final String DEFAULT_FILE_NAME = "firmware.bin";

    private final FirmwareCatalog catalog;
    private final FirmwareUploads uploads;
    private final LiveJobs liveJobs;
    private final UploadSettings settings;
    private final Clock clock;
    private final StructuredLog log;

    public FirmwareCatalogService(
            FirmwareCatalog catalog,
            FirmwareUploads uploads,
            LiveJobs liveJobs,
            UploadSettings settings,
            Clock clock,
            StructuredLog log) {
        this.catalog = catalog;
        this.uploads = uploads;
        this.liveJobs = liveJobs;
        this.settings = settings;
        this.clock = clock;
        this.log = log;
    }

    @Override
    public UploadTicket startUpload(StartUpload request) {
        if (request == null) {
            throw invalid("request is missing");
        }
        String productId = productId(request.productId());
        String version = version(request.version());
        String fileName = request.fileName() == null ? DEFAULT_FILE_NAME : request.fileName();
        if (!FILE_NAME.matcher(fileName).matches()) {
            throw invalid("fileName must be 1..128 characters of [A-Za-z0-9._-], not starting with '.' or '-'");
        }
        if (request.fileSize() < 1 || request.fileSize() > MAX_FILE_SIZE) {
            throw invalid("fileSize must be 1.." + MAX_FILE_SIZE + " bytes (1 GiB), not " + request.fileSize());
        }
        String md5 = md5(request.md5sum());
        String description = description(request.description() == null ? "" : request.description());

        Optional<Firmware> existing = catalog.find(productId, version);
        if (existing.isPresent()) {
            throw taken(existing.get());
        }
        String key = "firmware/" + productId + "/" + version + "/" + fileName;
        Instant now = clock.instant();
        Instant expiresAt = now.plus(settings.urlExpiry());
        Firmware reservation = Firmware.reserved(productId, version, key, request.fileSize(), md5, description, now);

        if (request.fileSize() <= settings.multipartThreshold()) {
            if (!catalog.insert(reservation, null)) {
                throw taken(catalog.find(productId, version).orElse(reservation));
            }
            String url = uploads.presignPut(key, settings.urlExpiry());
            log.info(
                    "firmware_upload_started",
                    "productId",
                    productId,
                    "version",
                    version,
                    "s3Key",
                    key,
                    "fileSize",
                    request.fileSize(),
                    "multipart",
                    false);
            return new UploadTicket(
                    productId, version, key, "PUT", url, null, request.fileSize(), List.of(), expiresAt);
        }

        long partSize = settings.partSize();
        int partCount = (int) ((request.fileSize() + partSize - 1) / partSize);
        if (partCount > UploadSettings.MAX_PARTS) {
            throw invalid("fileSize needs " + partCount + " parts of " + partSize + " bytes, over S3's "
                    + UploadSettings.MAX_PARTS);
        }
        String uploadId = uploads.createMultipart(key);
        boolean reserved;
        try {
            reserved = catalog.insert(reservation, new Upload(uploadId, partSize, partCount));
        } catch (RuntimeException e) {
            uploads.abortMultipart(key, uploadId);
            throw e;
        }
        if (!reserved) {
            uploads.abortMultipart(key, uploadId);
            throw taken(catalog.find(productId, version).orElse(reservation));
        }
        List<PartUrl> parts = new ArrayList<>(partCount);
        for (int n = 1; n <= partCount; n++) {
            parts.add(new PartUrl(n, uploads.presignPart(key, uploadId, n, settings.urlExpiry())));
        }
        log.info(
                "firmware_upload_started",
                "productId",
                productId,
                "version",
                version,
                "s3Key",
                key,
                "fileSize",
                request.fileSize(),
                "multipart",
                true,
                "parts",
                partCount);
        return new UploadTicket(productId, version, key, "MULTIPART", null, uploadId, partSize, parts, expiresAt);
    }

    @Override
    public FirmwareView completeUpload(String productId, String version, String uploadId, List<CompletedPart> parts) {
        Firmware firmware = existing(productId, version);
        if (uploadId == null || uploadId.isBlank()) {
            throw invalid("uploadId is missing");
        }
        if (firmware.status() != Firmware.Status.UPLOADING) {
            throw new OperatorException(
                    Code.CONFLICT,
                    "firmware " + version + " of product " + productId + " is " + firmware.status()
                            + ", not UPLOADING: there is no upload to complete");
        }
        Upload upload = catalog.upload(productId, version)
                .orElseThrow(() -> new OperatorException(
                        Code.CONFLICT,
                        "firmware " + version + " of product " + productId
                                + " was handed a single PUT URL, not a multipart upload: nothing to complete"));
        if (!upload.uploadId().equals(uploadId)) {
            throw new OperatorException(
                    Code.NOT_FOUND,
                    "upload " + uploadId + " is not the upload of firmware " + version + " of product " + productId);
        }
        if (parts == null || parts.size() != upload.partCount()) {
            throw invalid(
                    "parts must list all " + upload.partCount() + " parts, got " + (parts == null ? 0 : parts.size()));
        }
        for (int i = 0; i < parts.size(); i++) {
            CompletedPart part = parts.get(i);
            if (part == null || part.partNumber() != i + 1) {
                throw invalid("parts must be numbered 1.." + upload.partCount() + " in order; entry " + (i + 1)
                        + " is part " + (part == null ? "null" : part.partNumber()));
            }
            if (part.etag() == null || part.etag().isBlank() || part.etag().length() > 1024) {
                throw invalid("part " + part.partNumber() + " needs the ETag S3 returned for it");
            }
        }
        uploads.completeMultipart(firmware.s3Key(), uploadId, parts);
        log.info(
                "firmware_upload_completed",
                "productId",
                productId,
                "version",
                version,
                "s3Key",
                firmware.s3Key(),
                "parts",
                parts.size());
        // The S3 notification registers and verifies the object; it may already have done so.
        return view(catalog.find(productId, version).orElse(firmware));
    }

    @Override
    public Page<FirmwareView> list(String productId, String nextToken, int limit) {
        if (productId != null) {
            productId(productId);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw invalid("limit must be 1.." + MAX_LIMIT);
        }
        if (nextToken != null && (nextToken.isEmpty() || nextToken.length() > 2048)) {
            throw invalid("nextToken is not valid");
        }
        Page<Firmware> page = catalog.list(productId, nextToken, limit);
        return new Page<>(
                page.items().stream().map(FirmwareCatalogService::view).toList(), page.nextToken());
    }

    @Override
    public FirmwareView describe(String productId, String version) {
        return view(existing(productId, version));
    }

    @Override
    public FirmwareView editDescription(String productId, String version, String description) {
        productId(productId);
        version(version);
        if (description == null) {
            throw invalid("description is missing");
        }
        return catalog.editDescription(productId, version, description(description))
                .map(FirmwareCatalogService::view)
                .orElseThrow(() -> notFound(productId, version));
    }

    /**
     * Refuses while a live job targets the firmware. The record goes first, so no new job can find
     * it; a job that appeared meanwhile puts it back and refuses; then the object goes.
     */
    @Override
    public void delete(String productId, String version) {
        Firmware firmware = existing(productId, version);
        refuseIfInUse(firmware);
        Optional<Upload> upload =
                firmware.status() == Firmware.Status.UPLOADING ? catalog.upload(productId, version) : Optional.empty();
        if (!catalog.delete(productId, version)) {
            throw notFound(productId, version);
        }
        Optional<String> raced = liveJobs.targeting(productId, version);
        if (raced.isPresent()) {
            catalog.insert(firmware, upload.orElse(null));
            throw inUse(firmware, raced.get());
        }
        upload.ifPresent(u -> uploads.abortMultipart(firmware.s3Key(), u.uploadId()));
        uploads.delete(firmware.s3Key());
        log.info(
                "firmware_deleted",
                "productId",
                productId,
                "version",
                version,
                "s3Key",
                firmware.s3Key(),
                "status",
                firmware.status().name());
    }

    private void refuseIfInUse(Firmware firmware) {
        liveJobs.targeting(firmware.productId(), firmware.version()).ifPresent(job -> {
            throw inUse(firmware, job);
        });
    }

    private static OperatorException inUse(Firmware firmware, String jobId) {
        return new OperatorException(
                Code.FIRMWARE_IN_USE,
                "firmware " + firmware.version() + " of product " + firmware.productId() + " is the target of live job "
                        + jobId + "; cancel it (or let it finish) before deleting");
    }

    private Firmware existing(String productId, String version) {
        productId(productId);
        version(version);
        return catalog.find(productId, version).orElseThrow(() -> notFound(productId, version));
    }

    public static FirmwareView view(Firmware f) {
        return new FirmwareView(
                f.productId(),
                f.version(),
                f.status().name(),
                f.s3Key(),
                f.fileSize(),
                f.md5sum(),
                f.sha256(),
                f.description() == null ? "" : f.description(),
                f.rejectionReason(),
                f.createdAt(),
                f.status() == Firmware.Status.UPLOADING ? null : f.registeredAt());
    }

    // ---- validation ----

    static String productId(String productId) {
        try {
            new DeviceId(productId, "x");
        } catch (InvalidMessageException e) {
            throw invalid(e.getMessage());
        }
        return productId;
    }

    static String version(String version) {
        try {
            return FirmwareVersion.requireStorable("version", version);
        } catch (InvalidMessageException e) {
            throw invalid(e.getMessage());
        }
    }

    static String md5(String md5) {
        if (md5 == null || !MD5.matcher(md5).matches()) {
            throw invalid("md5sum must be 32 hex digits");
        }
        return md5.toLowerCase(Locale.ROOT);
    }

    static String description(String description) {
        if (description.length() > MAX_DESCRIPTION) {
            throw invalid("description is longer than " + MAX_DESCRIPTION + " characters");
        }
        return description;
    }

    private static OperatorException taken(Firmware existing) {
        return new OperatorException(
                Code.VERSION_TAKEN,
                "version " + existing.version() + " of product " + existing.productId()
                        + " already exists (status " + existing.status() + "); versions are unique per product"
                        + (existing.status() == Firmware.Status.AVAILABLE ? "" : " - delete it first to upload again"));
    }

    private static OperatorException notFound(String productId, String version) {
        return new OperatorException(Code.NOT_FOUND, "no firmware " + version + " of product " + productId);
    }

    private static OperatorException invalid(String message) {
        return new OperatorException(Code.INVALID_REQUEST, message);
    }
}
