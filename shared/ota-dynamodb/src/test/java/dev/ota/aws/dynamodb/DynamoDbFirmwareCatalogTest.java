package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.DynamoDbRolloutStoreTest.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.Firmware;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.Page;
import dev.ota.port.out.FirmwareCatalog.Upload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DynamoDbFirmwareCatalogTest extends StoreFixture {

    private static final String MD5 = "0123456789abcdef0123456789abcdef";
    private static final String OTHER_MD5 = "fedcba9876543210fedcba9876543210";

    private final String product = MotoTables.id("P");

    private Firmware available(String version) {
        return new Firmware(
                product,
                version,
                "firmware/" + product + "/" + version + ".bin",
                4096,
                MD5,
                "ab".repeat(32),
                "build 7",
                T0);
    }

    @Nested
    class Save {

        @Test
        void savedFirmwareReadsBack() {
            Firmware fw = available("1.0.0");

            firmware.save(fw);

            assertThat(firmware.find(product, "1.0.0")).contains(fw);
            assertThat(firmware.find(product, "9.9.9")).isEmpty();
        }

        @Test
        void theSameObjectAgainIsFine() {
            Firmware fw = available("1.0.0");
            firmware.save(fw);

            firmware.save(fw);

            assertThat(firmware.find(product, "1.0.0")).contains(fw);
        }

        @Test
        void otherContentUnderATakenVersionIsRejectedAndTheFirstKept() {
            Firmware fw = available("1.0.0");
            firmware.save(fw);
            Firmware other = new Firmware(product, "1.0.0", fw.s3Key(), 4096, OTHER_MD5, null, "", T0.plusSeconds(1));
            Firmware moved =
                    new Firmware(product, "1.0.0", "firmware/elsewhere.bin", 4096, MD5, null, "", T0.plusSeconds(1));

            assertThatThrownBy(() -> firmware.save(other)).isInstanceOf(InvalidMessageException.class);
            assertThatThrownBy(() -> firmware.save(moved)).isInstanceOf(InvalidMessageException.class);

            assertThat(firmware.find(product, "1.0.0")).contains(fw);
        }
    }

    @Nested
    class Uploads {

        private final Firmware reserved =
                Firmware.reserved(product, "2.0.0", "firmware/" + product + "/2.0.0.bin", 9_000_000, MD5, "rc", T0);
        private final Upload upload = new Upload("upload-1", 8_388_608, 2);

        @Test
        void aReservationHoldsTheVersionWithItsUpload() {
            assertThat(firmware.insert(reserved, upload)).isTrue();

            assertThat(firmware.find(product, "2.0.0")).contains(reserved);
            assertThat(firmware.upload(product, "2.0.0")).contains(upload);
            assertThat(firmware.insert(reserved, new Upload("upload-2", 8_388_608, 2)))
                    .isFalse();
            assertThat(firmware.upload(product, "2.0.0")).contains(upload);
        }

        @Test
        void aVersionTakenInAnyStatusCannotBeReserved() {
            firmware.save(available("2.0.0"));

            assertThat(firmware.insert(reserved, upload)).isFalse();
            assertThat(firmware.find(product, "2.0.0").orElseThrow().status()).isEqualTo(Firmware.Status.AVAILABLE);
            assertThat(firmware.upload(product, "2.0.0")).isEmpty();
            assertThat(firmware.upload(product, "9.9.9")).isEmpty();
        }

        @Test
        void settlingReplacesTheReservationOnce() {
            firmware.insert(reserved, upload);
            Firmware verified = new Firmware(
                    product,
                    "2.0.0",
                    reserved.s3Key(),
                    9_000_000,
                    MD5,
                    "cd".repeat(32),
                    "rc",
                    T0.plusSeconds(60),
                    Firmware.Status.AVAILABLE,
                    null,
                    T0);

            assertThat(firmware.settle(verified, Firmware.Status.UPLOADING)).isTrue();
            assertThat(firmware.settle(verified, Firmware.Status.UPLOADING)).isFalse();

            assertThat(firmware.find(product, "2.0.0")).contains(verified);
            assertThat(firmware.upload(product, "2.0.0")).isEmpty();
        }

        @Test
        void reservationsStillUploadingAreFoundByAgeUntilTheySettle() {
            firmware.insert(reserved, upload);
            Firmware younger = Firmware.reserved(
                    product, "2.0.1", "firmware/" + product + "/2.0.1.bin", 9, MD5, "", T0.plusSeconds(3600));
            firmware.insert(younger, null);

            assertThat(uploadingOfProduct(T0)).isEmpty();
            assertThat(uploadingOfProduct(T0.plusSeconds(1))).containsExactly(reserved);
            assertThat(uploadingOfProduct(T0.plusSeconds(3601))).containsExactly(reserved, younger);

            Firmware rejected = reserved.rejected("no registration", T0.plusSeconds(7200));
            assertThat(firmware.settle(rejected, Firmware.Status.UPLOADING)).isTrue();
            assertThat(uploadingOfProduct(T0.plusSeconds(7200)))
                    .as("a settled record leaves the index")
                    .containsExactly(younger);
            assertThat(firmware.find(product, "2.0.0").orElseThrow().rejectionReason())
                    .isEqualTo("no registration");
        }

        private List<Firmware> uploadingOfProduct(Instant cutoff) {
            return firmware.uploadingSince(cutoff, 1000).stream()
                    .filter(f -> f.productId().equals(product))
                    .toList();
        }

        @Test
        void settlingNeedsTheSameObjectAndAnExistingRecord() {
            firmware.insert(reserved, upload);
            Firmware elsewhere = new Firmware(
                    product,
                    "2.0.0",
                    "firmware/elsewhere.bin",
                    9_000_000,
                    MD5,
                    null,
                    "",
                    T0,
                    Firmware.Status.AVAILABLE,
                    null,
                    T0);
            Firmware absent = new Firmware(
                    product,
                    "3.0.0",
                    "firmware/3.bin",
                    1,
                    MD5,
                    null,
                    "",
                    T0,
                    Firmware.Status.REJECTED,
                    "md5 mismatch",
                    T0);

            assertThat(firmware.settle(elsewhere, Firmware.Status.UPLOADING)).isFalse();
            assertThat(firmware.settle(absent, Firmware.Status.UPLOADING)).isFalse();

            assertThat(firmware.find(product, "2.0.0")).contains(reserved);
            assertThat(firmware.find(product, "3.0.0")).isEmpty();
        }

        @Test
        void aRecordWithoutAStatusIsAvailable() {
            dynamo.putItem(r -> r.tableName(tables.firmware())
                    .item(Map.of(
                            "productId",
                            AttributeValue.fromS(product),
                            "version",
                            AttributeValue.fromS("0.9.0"),
                            "s3Key",
                            AttributeValue.fromS("firmware/old.bin"),
                            "fileSize",
                            AttributeValue.fromN("10"),
                            "md5sum",
                            AttributeValue.fromS(MD5),
                            "registeredAt",
                            AttributeValue.fromN(Long.toString(T0.toEpochMilli())))));
            Firmware old = firmware.find(product, "0.9.0").orElseThrow();
            assertThat(old.status()).isEqualTo(Firmware.Status.AVAILABLE);
            assertThat(old.createdAt()).isEqualTo(T0);

            Firmware rejected = new Firmware(
                    product,
                    "0.9.0",
                    "firmware/old.bin",
                    10,
                    MD5,
                    null,
                    "",
                    T0,
                    Firmware.Status.REJECTED,
                    "withdrawn",
                    T0);
            assertThat(firmware.settle(rejected, Firmware.Status.AVAILABLE)).isTrue();
            assertThat(firmware.find(product, "0.9.0")).contains(rejected);
        }
    }

    @Nested
    class EditAndDelete {

        @Test
        void theDescriptionOfExistingFirmwareChanges() {
            firmware.save(available("1.0.0"));

            assertThat(firmware.editDescription(product, "1.0.0", "hotfix"))
                    .contains(available("1.0.0").withDescription("hotfix"));
            assertThat(firmware.find(product, "1.0.0").orElseThrow().description())
                    .isEqualTo("hotfix");
        }

        @Test
        void editingAbsentFirmwareCreatesNothing() {
            assertThat(firmware.editDescription(product, "1.0.0", "hotfix")).isEmpty();
            assertThat(firmware.find(product, "1.0.0")).isEmpty();
        }

        @Test
        void deleteSaysWhetherThereWasSomethingToDelete() {
            firmware.save(available("1.0.0"));

            assertThat(firmware.delete(product, "1.0.0")).isTrue();
            assertThat(firmware.delete(product, "1.0.0")).isFalse();
            assertThat(firmware.find(product, "1.0.0")).isEmpty();
        }
    }

    @Nested
    class Listing {

        @Test
        void aProductsFirmwarePagesInVersionOrderAndTheLastPageHasNoToken() {
            List<String> versions = List.of("1.0.0", "1.1.0", "2.0.0", "2.1.0");
            versions.forEach(v -> firmware.save(available(v)));

            Page<Firmware> first = firmware.list(product, null, 2);
            Page<Firmware> second = firmware.list(product, first.nextToken(), 2);

            assertThat(first.items()).extracting(Firmware::version).containsExactly("1.0.0", "1.1.0");
            assertThat(first.nextToken()).isNotNull();
            assertThat(second.items()).extracting(Firmware::version).containsExactly("2.0.0", "2.1.0");
            assertThat(second.nextToken()).isNull();
            assertThat(firmware.list(product, null, 10))
                    .isEqualTo(
                            new Page<>(versions.stream().map(v -> available(v)).toList(), null));
            assertThat(firmware.list(MotoTables.id("P"), null, 10)).isEqualTo(new Page<>(List.of(), null));
        }

        @Test
        void everyProductsFirmwarePagesThroughTheWholeTable() {
            String other = MotoTables.id("P");
            firmware.save(available("1.0.0"));
            firmware.save(available("1.1.0"));
            firmware.save(new Firmware(other, "1.0.0", "firmware/o.bin", 1, MD5, null, "", T0));

            List<Firmware> all = new ArrayList<>();
            String token = null;
            do {
                Page<Firmware> page = firmware.list(null, token, 3);
                assertThat(page.items().size()).isLessThanOrEqualTo(3);
                all.addAll(page.items());
                token = page.nextToken();
            } while (token != null);

            Set<String> keys = new HashSet<>();
            all.forEach(f -> assertThat(keys.add(f.productId() + "/" + f.version()))
                    .as("listed once: %s", f)
                    .isTrue());
            assertThat(keys).contains(product + "/1.0.0", product + "/1.1.0", other + "/1.0.0");
        }

        @Test
        void aTokenThatIsNotFromThisListingIsAnInvalidRequest() {
            firmware.save(available("1.0.0"));
            firmware.save(available("1.1.0"));
            String token = firmware.list(product, null, 1).nextToken();

            assertInvalid(() -> firmware.list(product, "eyJ4IjoxfQ", 5));
            assertInvalid(() -> firmware.list(product, "", 5));
            assertInvalid(() -> firmware.list(MotoTables.id("P"), token, 5));
        }
    }
}
