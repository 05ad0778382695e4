package dev.ota.local.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Who is in which stage and which device meets which weak-network fault, all drawn from the seed,
 * so that a run can be repeated exactly ({@code --seed}).
 *
 * <ul>
 *   <li>stage 0 (canary): about {@code canaryFraction} of the fleet; stage 1: the rest;</li>
 *   <li>exactly one device whose firmware always fails its MD5 check, in the last stage (a
 *       canary exists to catch a bad release; this device is a bad <em>device</em>, and the demo
 *       shows that it ends FAILED without holding the rollout up or looping);</li>
 *   <li>~10% offline when their stage starts, connecting 1-4 s later;</li>
 *   <li>~20% whose download connection drops mid-way, once or twice;</li>
 *   <li>~6% that sit on their URL until it has expired.</li>
 * </ul>
 * A device meets at most one kind of fault, so the summary can tell each story apart.
 */
public final class FleetPlan {

    public enum Fault {
        NONE("-"),
        OFFLINE_AT_START("offline when the job starts"),
        DROPS_MID_DOWNLOAD("connection drops mid-download"),
        URL_EXPIRES("waits until its URL has expired"),
        CORRUPT_FIRMWARE("firmware always fails MD5");

        private final String label;

        Fault(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * @param stage          0 = canary
     * @param offlineDelayMs how long after its stage starts an offline device connects
     * @param dropAt         byte offsets at which the download connection drops, ascending
     * @param topicPrefix    "$ota" (Tencent's topics) or "ota" (AWS's): the local stack serves both
     */
    public record DeviceProfile(
            String name, int stage, Fault fault, long offlineDelayMs, List<Integer> dropAt, String topicPrefix) {
        public DeviceProfile {
            dropAt = List.copyOf(dropAt);
        }

        DeviceProfile withTopicPrefix(String prefix) {
            return new DeviceProfile(name, stage, fault, offlineDelayMs, dropAt, prefix);
        }
    }

    private final List<DeviceProfile> devices;
    private final int stages;

    private FleetPlan(List<DeviceProfile> devices, int stages) {
        this.devices = List.copyOf(devices);
        this.stages = stages;
    }

    public static FleetPlan create(DemoOptions options) {
        Random random = new Random(options.seed());
        int n = options.devices();
        int width = Math.max(3, String.valueOf(n).length());
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add(String.format("dev-%0" + width + "d", i));
        }
        List<String> shuffled = new ArrayList<>(names);
        Collections.shuffle(shuffled, random);
        int canary = Math.max(1, (int) Math.round(n * options.canaryFraction()));
        List<String> canaryNames = shuffled.subList(0, canary);

        // Faults: the broken device first (outside the canary), then the others among the rest.
        List<String> pool = new ArrayList<>(shuffled);
        String broken = shuffled.get(canary + random.nextInt(n - canary));
        pool.remove(broken);
        Collections.shuffle(pool, random);
        int offline = atLeastOne(n * 0.10);
        int drops = atLeastOne(n * 0.20);
        int expired = atLeastOne(n * 0.06);

        List<DeviceProfile> profiles = new ArrayList<>();
        int next = 0;
        Map<String, DeviceProfile> byName = new HashMap<>();
        byName.put(broken, new DeviceProfile(broken, 1, Fault.CORRUPT_FIRMWARE, 0, List.of(), null));
        for (int i = 0; i < offline && next < pool.size(); i++, next++) {
            String name = pool.get(next);
            byName.put(
                    name,
                    new DeviceProfile(
                            name,
                            stageOf(name, canaryNames),
                            Fault.OFFLINE_AT_START,
                            1000 + random.nextInt(3000),
                            List.of(),
                            null));
        }
        for (int i = 0; i < drops && next < pool.size(); i++, next++) {
            String name = pool.get(next);
            List<Integer> at = new ArrayList<>();
            int first = (int) (options.firmwareSize() * (0.15 + 0.5 * random.nextDouble()));
            at.add(first);
            if (random.nextDouble() < 0.3) {
                at.add(first + (int) ((options.firmwareSize() - first) * (0.3 + 0.4 * random.nextDouble())));
            }
            byName.put(
                    name, new DeviceProfile(name, stageOf(name, canaryNames), Fault.DROPS_MID_DOWNLOAD, 0, at, null));
        }
        for (int i = 0; i < expired && next < pool.size(); i++, next++) {
            String name = pool.get(next);
            byName.put(
                    name, new DeviceProfile(name, stageOf(name, canaryNames), Fault.URL_EXPIRES, 0, List.of(), null));
        }
        for (String name : names) {
            DeviceProfile profile = byName.getOrDefault(
                    name, new DeviceProfile(name, stageOf(name, canaryNames), Fault.NONE, 0, List.of(), null));
            // Half the fleet on Tencent's topics, half on AWS's.
            profiles.add(profile.withTopicPrefix(random.nextBoolean() ? "$ota" : "ota"));
        }
        return new FleetPlan(profiles, 2);
    }

    private static int atLeastOne(double share) {
        return Math.max(1, (int) Math.round(share));
    }

    private static int stageOf(String name, List<String> canary) {
        return canary.contains(name) ? 0 : 1;
    }

    /** Every device, in name order. */
    public List<DeviceProfile> devices() {
        return devices;
    }

    public int stageCount() {
        return stages;
    }

    public List<String> stage(int index) {
        return devices.stream()
                .filter(d -> d.stage() == index)
                .map(DeviceProfile::name)
                .toList();
    }

    public List<DeviceProfile> withFault(Fault fault) {
        return devices.stream().filter(d -> d.fault() == fault).toList();
    }

    /** The one device whose firmware always fails its MD5 check. */
    public DeviceProfile broken() {
        return withFault(Fault.CORRUPT_FIRMWARE).get(0);
    }
}
