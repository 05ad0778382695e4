package dev.ota.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.model.Unit;

/**
 * The cold-start cost of the metrics library (aws-embedded-metrics): the time to the first EMF
 * document in a fresh JVM, after Jackson has written once (which every function pays anyway). A
 * benchmark, not a timed test: it prints the figures and asserts only that each run wrote one.
 *
 * <pre>
 * mvn -B -q -ntp -o -pl local/integration-tests -am test -Dtest=EmfColdStartBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class EmfColdStartBenchmark {

    private static final int RUNS = 7;

    /** One fresh-JVM sample: prints the milliseconds from a warm Jackson to the first EMF document. */
    public static void main(String[] args) throws Exception {
        new ObjectMapper().writeValueAsString(Map.of("warm", 1));
        long start = System.nanoTime();
        MetricsContext context = new MetricsContext();
        context.setNamespace("OTA");
        context.setDimensions(DimensionSet.of("Function", "version-report"));
        context.putMetric("UpdatesSent", 1, Unit.COUNT); // a metric the functions emit (EmfRolloutMetrics)
        String document = context.serialize().get(0);
        double ms = (System.nanoTime() - start) / 1_000_000.0;
        System.out.println(document.contains("UpdatesSent") ? ms : -1);
    }

    @Test
    void firstEmfDocumentInAFreshJvm() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Process p = new ProcessBuilder(
                            java, "-cp", System.getProperty("java.class.path"), EmfColdStartBenchmark.class.getName())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(p.waitFor()).isZero();
            samples.add(Double.parseDouble(out.lines().reduce((a, b) -> b).orElseThrow()));
        }
        assertThat(samples).allSatisfy(ms -> assertThat(ms).isPositive());
        List<Double> sorted = samples.stream().sorted().toList();
        System.out.printf(
                "EMF first document, %d fresh JVMs: min %.0f ms, median %.0f ms, max %.0f ms%n",
                RUNS, sorted.get(0), sorted.get(RUNS / 2), sorted.get(RUNS - 1));
    }
}
