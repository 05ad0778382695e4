package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.CliEnvironment;
import dev.ota.cli.OtaCli;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.EmbeddedS3;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * {@code ota console} in headless Chromium (Debian's chromium and chromium-driver, driven by
 * Selenium) against the local stack's IAM-checked API: every step is asserted on what the page
 * shows. Devices answer through the real report functions, as the IoT rules invoke them.
 */
class ConsoleIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Pattern URL = Pattern.compile("ota console: (http://127\\.0\\.0\\.1:\\d+/\\?session=\\w+)");
    private static final AwsCredentialsProvider OPERATOR =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY));

    @TempDir
    Path dir;

    private final LocalStack stack = SharedStack.get(SharedStack.SMALL_UPLOAD_PARTS);
    private WebDriver browser;
    private Thread console;
    private ScheduledTicker ticker;

    @BeforeEach
    void openBrowser() throws Exception {
        assertThat(CHROMIUM)
                .as("Debian's chromium (scripts/bootstrap.sh installs it)")
                .isExecutable();
        assertThat(CHROMEDRIVER)
                .as("Debian's chromium-driver (scripts/bootstrap.sh installs it)")
                .isExecutable();
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--window-size=1280,1400",
                        "--user-data-dir=" + Files.createDirectory(dir.resolve("profile")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void close() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.interrupt();
            console.join(10_000);
        }
        if (ticker != null) {
            ticker.close();
        }
    }

    /** Starts `ota console --no-open` in this JVM, as an operator would; returns the session URL it prints. */
    private String startConsole(AwsCredentialsProvider credentials) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, String> variables = new HashMap<>();
        variables.put("OTA_API_URL", stack.apiEndpoint().toString());
        variables.put("AWS_REGION", "us-east-1");
        CliEnvironment environment = new CliEnvironment(
                variables,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                false,
                credentials,
                Clock.systemUTC());
        console = new Thread(() -> OtaCli.execute(environment, "console", "--no-open"), "ota-console-it");
        console.start();
        for (int i = 0; i < 200; i++) {
            Matcher m = URL.matcher(out.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("ota console printed no URL: " + out.toString(StandardCharsets.UTF_8));
    }

    private WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds));
        wait.pollingEvery(Duration.ofMillis(250));
        return wait;
    }

    /** The element's text; the pages re-render every few seconds, so a stale element is looked up again. */
    private String textOf(String css) {
        return waitUpTo(30).ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement element = d.findElement(By.cssSelector(css));
            return element.isDisplayed() ? element.getText() : null;
        });
    }

    private void click(By by) {
        waitUpTo(30).ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement element = d.findElement(by);
            if (!element.isDisplayed() || !element.isEnabled()) {
                return null;
            }
            element.click();
            return true;
        });
    }

    /** The device names the job page's device table shows. */
    private List<String> rows() {
        return waitUpTo(30)
                .ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector("#devices-table tbody tr[data-device]")).stream()
                        .map(row -> row.getAttribute("data-device"))
                        .toList());
    }

    private void awaitText(String css, String text, int seconds) {
        waitUpTo(seconds).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
    }

    private void type(String css, String text) {
        WebElement input = browser.findElement(By.cssSelector(css));
        input.clear();
        input.sendKeys(text);
    }

    private long forwardedCalls() {
        Object calls = ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "fetch('/console/session').then(r => r.json()).then(s => done(s.apiCalls));");
        return ((Number) calls).longValue();
    }

    @Test
    void operatorUploadsRollsOutInTwoStagesRetriesTheBrokenDeviceAndCancelsASecondJob() throws Exception {
        try (JobFixture fleet = new JobFixture("CONSOLE", stack)) {
            String product = fleet.product;
            List<String> devices = List.of("canary-1", "ok-2", "ok-3", "broken-4", "slow-5");
            for (String device : devices) {
                fleet.reportVersion(device, "1.0.0");
            }
            fleet.reportVersion("late-6", "1.0.0");
            CountDownLatch retryClicked = new CountDownLatch(1);
            CountDownLatch brokenRetried = new CountDownLatch(1);
            try (SimulatedFleet simulated = new SimulatedFleet(fleet, retryClicked, brokenRetried)) {
                ticker = new ScheduledTicker(stack);
                browser.get(startConsole(OPERATOR));
                awaitText("#session", "API " + stack.apiEndpoint(), 30);

                // Firmware: a 12 MiB file, uploaded in parts through the console, verified by the backend.
                browser.get(browser.getCurrentUrl().replaceAll("#.*$", "") + "#/firmware?product=" + product);
                byte[] bytes = new byte[12 * 1024 * 1024];
                new Random(14).nextBytes(bytes);
                Path file = Files.write(dir.resolve("fw-2.0.0.bin"), bytes);
                type("#upload-form input[name=productId]", product);
                type("#upload-form input[name=version]", "2.0.0");
                type("#upload-form input[name=description]", "console rollout");
                browser.findElement(By.cssSelector("#upload-form input[name=file]"))
                        .sendKeys(file.toString());
                click(By.cssSelector("#upload-form button[name=submit]"));
                assertThat(browser.findElement(By.id("upload-progress")).isDisplayed())
                        .isTrue();
                awaitText("#upload-status", "AVAILABLE", 120);
                awaitText("#firmware-table tr[data-version='2.0.0']", "AVAILABLE", 30);
                // Firmware whose bytes did not match its declared MD5 (uploaded past the console): REJECTED, with why.
                ApiClient direct = ApiClient.local(stack.apiEndpoint());
                byte[] bad = SharedStack.firmwareBytes(1000, 9);
                ApiClient.Response ticket = direct.post(
                        "/firmware",
                        "{\"productId\":\"" + product + "\",\"version\":\"0.9.0\",\"fileSize\":1000,"
                                + "\"md5sum\":\"0123456789abcdef0123456789abcdef\"}");
                assertThat(ticket.status()).as(String.valueOf(ticket.body())).isEqualTo(201);
                direct.putPresigned(ticket.body().path("url").asText(), bad);
                browser.navigate().refresh();
                awaitText("#firmware-table tr[data-version='0.9.0']", "REJECTED", 60);
                assertThat(textOf("#firmware-table tr[data-version='0.9.0']"))
                        .contains("Reason: declared md5sum 0123456789abcdef0123456789abcdef does not match");
                assertThat(textOf("#firmware-table tr[data-version='2.0.0']")).contains("12.0 MiB", "console rollout");

                // Fleet: every device on 1.0.0.
                browser.get(browser.getCurrentUrl().replaceAll("#.*$", "") + "#/fleet?product=" + product);
                awaitText("#fleet-versions", "1.0.0", 30);
                assertThat(textOf("#fleet-versions")).contains("1.0.0 6 100.0");
                assertThat(textOf("#fleet-history-note")).contains("The API keeps no history of the fleet's versions");

                // Create a two-stage job: a canary of one, then the rest; the JSON shown is what is sent.
                browser.get(browser.getCurrentUrl().replaceAll("#.*$", "") + "#/jobs/new");
                type("#create-job input[name=productId]", product);
                type("#create-job input[name=targetVersion]", "2.0.0");
                type("#create-job textarea[name=deviceNames]", String.join("\n", devices));
                type("#create-job input[name=ratePerMinute]", "600");
                type("#create-job input[name=maxAttempts]", "1");
                click(By.id("add-stage"));
                type("#create-job input[name='s1.deviceCount']", "1");
                type("#create-job input[name='s1.failureThresholdPercent']", "50");
                click(By.id("add-stage"));
                type("#create-job input[name='s2.successThresholdPercent']", "0");
                type("#create-job input[name='s2.failureThresholdPercent']", "50");
                type("#create-job input[name='s2.minDevicesForFailure']", "3"); // one broken device does not pause
                // The exact count, from the API's dry run: the whole product, then the list.
                new Select(browser.findElement(By.cssSelector("#create-job select[name=targetType]")))
                        .selectByValue("PRODUCT");
                click(By.id("count-devices"));
                awaitText("#job-estimate", "6 device(s) would be targeted now", 30);
                new Select(browser.findElement(By.cssSelector("#create-job select[name=targetType]")))
                        .selectByValue("DEVICE_LIST");
                click(By.id("count-devices"));
                awaitText("#job-estimate", "5 device(s) would be targeted now", 30);
                assertThat(textOf("#job-count")).isEqualTo("5");
                JsonNode shown = SharedStack.JSON.readTree(textOf("#job-json"));
                assertThat(shown.path("targets").path("deviceNames")).hasSize(5);
                assertThat(shown.path("stages")).hasSize(2);
                assertThat(shown.path("stages").get(0).path("deviceCount").asInt())
                        .isEqualTo(1);
                assertThat(shown.path("rollout").path("ratePerMinute").asInt()).isEqualTo(600);
                assertThat((List<?>) ((JavascriptExecutor) browser)
                                .executeScript("return [...document.querySelectorAll('#create-job input,"
                                        + " #create-job select, #create-job textarea')]"
                                        + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))"
                                        + ".map(e => e.name)"))
                        .as("form fields without a label")
                        .isEmpty();
                click(By.cssSelector("#create-job button[name=submit]"));
                click(By.id("created-job"));

                // Job detail: the canary passes, the rest is released, the broken device fails with its code.
                awaitText("#stages-table tr[data-stage='1']", "DONE", 60);
                assertThat(textOf("#stages-table tr[data-stage='1']")).contains("100% / 100%");
                awaitText("#devices-table tr[data-device='broken-4'] td.status", "FAILED", 60);
                assertThat(textOf("#devices-table tr[data-device='broken-4']")).contains("-4");
                assertThat(browser.findElement(By.cssSelector("button[aria-label='Retry canary-1']"))
                                .isEnabled())
                        .as("a device that succeeded cannot be retried")
                        .isFalse();
                awaitText("#failures-table tr[data-code='-4']", "1", 30);
                awaitText("#devices-table tr[data-device='slow-5'] td.status", "DOWNLOADING", 30);
                awaitText("#job-state", "IN_PROGRESS", 10);
                assertThat(textOf("#stages-table tr[data-stage='2']")).contains("CURRENT");
                Thread.sleep(6_000); // a few refreshes: the funnel has points to draw
                Path screenshot = SharedStack.repo().resolve("docs/images/console-job.png");
                Files.createDirectories(screenshot.getParent());
                Files.copy(
                        ((TakesScreenshot) browser)
                                .getScreenshotAs(OutputType.FILE)
                                .toPath(),
                        screenshot,
                        StandardCopyOption.REPLACE_EXISTING);

                // The device table's status filter (the API's) and search (within the page).
                new Select(browser.findElement(By.id("device-status"))).selectByValue("FAILED");
                waitUpTo(30).until(d -> rows().equals(List.of("broken-4")));
                new Select(browser.findElement(By.id("device-status"))).selectByValue("");
                waitUpTo(30).until(d -> rows().size() == 5);
                type("#device-search", "slow");
                waitUpTo(10).until(d -> rows().equals(List.of("slow-5")));
                type("#device-search", "-"); // every name: the search is cleared
                waitUpTo(10).until(d -> rows().size() == 5);

                // API calls per minute of one open job page, counted by the console's proxy over three
                // of its 5-second refreshes.
                long before = forwardedCalls();
                long start = System.nanoTime();
                Thread.sleep(15_000);
                long calls = forwardedCalls() - before; // reading the count is not forwarded
                double minutes = (System.nanoTime() - start) / 60e9;
                System.err.printf(
                        "ConsoleIT: one open job page made %d API calls in %.2f min: %.1f per minute%n",
                        calls, minutes, calls / minutes);
                assertThat(calls).as("the page refreshes while open").isPositive();

                // A tablet's width: the page fits without sideways scrolling (wide tables scroll in their box).
                browser.manage().window().setSize(new Dimension(820, 1180));
                waitUpTo(10).until(d -> (Boolean) ((JavascriptExecutor) d)
                        .executeScript("return document.documentElement.scrollWidth <= window.innerWidth"));
                browser.manage().window().setSize(new Dimension(1280, 1400));

                // Retry the broken device: its second attempt succeeds; then the slow one finishes and the job
                // completes.
                retryClicked.countDown();
                click(By.cssSelector("#devices-table tr[data-device='broken-4'] button[aria-label='Retry broken-4']"));
                awaitText("#devices-table tr[data-device='broken-4'] td.status", "SUCCEEDED", 60);
                assertThat(textOf("#devices-table tr[data-device='broken-4']")).contains("SUCCEEDED");
                brokenRetried.countDown();
                awaitText("#job-state", "COMPLETED", 60);
                for (String device : devices) {
                    assertThat(textOf("#devices-table tr[data-device='" + device + "'] td.status"))
                            .as(device)
                            .isEqualTo("SUCCEEDED");
                }
                assertThat(textOf("#job-head")).contains("5 of 5 finished");
                // The timeline is the API's: stored with each change, not what the page happened to see.
                awaitText("#job-timeline", "completed: 5 of 5 succeeded", 30);
                assertThat(textOf("#job-timeline")).contains("created by arn:aws:iam::", "stage released: stage 2");

                // The device table in pages of two (the page's pageSize setting): 2, 2, 1, and back.
                String firstJob =
                        browser.getCurrentUrl().replaceAll("^.*#/jobs/", "").replaceAll("\\?.*$", "");
                browser.get(browser.getCurrentUrl().replaceAll("#.*$", "") + "#/jobs/" + firstJob + "?pageSize=2");
                waitUpTo(30).until(d -> rows().size() == 2);
                Set<String> paged = new TreeSet<>(rows());
                assertThat(textOf("#devices-table caption")).contains("page 1");
                click(By.id("devices-next"));
                awaitText("#devices-table caption", "page 2", 30);
                waitUpTo(30).until(d -> rows().size() == 2 && !paged.containsAll(rows()));
                paged.addAll(rows());
                click(By.id("devices-next"));
                awaitText("#devices-table caption", "page 3", 30);
                waitUpTo(30).until(d -> rows().size() == 1);
                paged.addAll(rows());
                assertThat(paged).as("every device once over the pages").containsExactlyInAnyOrderElementsOf(devices);
                assertThat(browser.findElement(By.id("devices-next")).isEnabled())
                        .as("the last page")
                        .isFalse();
                click(By.id("devices-prev"));
                awaitText("#devices-table caption", "page 2", 30);
                waitUpTo(30).until(d -> rows().size() == 2);

                // A second job, for a device that never answers: canceled from its page.
                browser.get(browser.getCurrentUrl().replaceAll("#.*$", "") + "#/jobs/new");
                type("#create-job input[name=productId]", product);
                type("#create-job input[name=targetVersion]", "2.0.0");
                type("#create-job textarea[name=deviceNames]", "late-6\nlate-7");
                click(By.cssSelector("#create-job button[name=submit]"));
                click(By.id("created-job"));
                awaitText("#job-state", "IN_PROGRESS", 60);
                // One device canceled from the table; the job goes on for the other.
                awaitText("#devices-table tr[data-device='late-7'] td.status", "DELIVERED", 60);
                click(By.cssSelector("button[aria-label='Cancel late-7']"));
                awaitText("#devices-table tr[data-device='late-7'] td.status", "CANCELED", 30);
                awaitText("#job-state", "IN_PROGRESS", 10);
                click(By.xpath("//button[text()='Pause']"));
                awaitText("#job-state", "PAUSED", 30);
                awaitText("#job-timeline", "paused by arn:aws:iam::", 30);
                click(By.xpath("//button[text()='Resume']"));
                awaitText("#job-state", "IN_PROGRESS", 30);
                awaitText("#job-timeline", "resumed by arn:aws:iam::", 30);
                click(By.xpath("//button[text()='Cancel job']"));
                waitUpTo(10).until(ExpectedConditions.alertIsPresent()).accept();
                awaitText("#job-state", "CANCELED", 30);
                awaitText("#job-timeline", "canceled by arn:aws:iam::", 30);
                assertThat(textOf("#job-timeline")).contains("paused by arn:aws:iam::", "resumed by arn:aws:iam::");

                // The jobs list one job at a time (pageSize 1): "Load more" adds the next page.
                browser.get(
                        browser.getCurrentUrl().replaceAll("#.*$", "") + "#/jobs?product=" + product + "&pageSize=1");
                awaitText("#jobs-table", "CANCELED", 30); // newest first
                assertThat(browser.findElements(By.cssSelector("#jobs-table tbody tr a")))
                        .hasSize(1);
                click(By.id("jobs-more"));
                waitUpTo(30)
                        .until(d -> d.findElements(By.cssSelector("#jobs-table tbody tr a"))
                                        .size()
                                == 2);
                assertThat(textOf("#jobs-table")).contains(firstJob, "COMPLETED", "CANCELED");

                // The jobs list, filtered by state, shows each job where it belongs.
                browser.get(browser.getCurrentUrl().replaceAll("#.*$", "") + "#/jobs?product=" + product
                        + "&state=COMPLETED");
                awaitText("#jobs-table", "COMPLETED", 30);
                assertThat(textOf("#jobs-table")).doesNotContain("CANCELED");

                // The device page: current version and its history across both jobs.
                browser.get(browser.getCurrentUrl().replaceAll("#.*$", "") + "#/device?product=" + product
                        + "&device=broken-4");
                awaitText("#device-version", "2.0.0", 30);
                assertThat(textOf("#device-history")).contains("SUCCEEDED", "1.0.0", "2.0.0");

                // Firmware: edit the description, then delete it (no live job targets it any more).
                browser.get(browser.getCurrentUrl().replaceAll("#.*$", "") + "#/firmware?product=" + product);
                awaitText("#firmware-table tr[data-version='2.0.0']", "console rollout", 30);
                click(By.cssSelector("button[aria-label='Edit description of 2.0.0']"));
                type("input[aria-label='Description of 2.0.0']", "rolled out");
                click(By.xpath("//tr[@data-version='2.0.0']//button[text()='Save']"));
                awaitText("#firmware-table tr[data-version='2.0.0']", "rolled out", 30);
                click(By.cssSelector("button[aria-label='Delete 2.0.0']"));
                waitUpTo(10).until(ExpectedConditions.alertIsPresent()).accept();
                waitUpTo(30)
                        .until(ExpectedConditions.invisibilityOfElementLocated(
                                By.cssSelector("#firmware-table tr[data-version='2.0.0']")));
            }
        }
    }

    @Test
    void withoutCredentialsTheConsoleSendsNothingAndSaysWhy() throws Exception {
        AwsCredentialsProvider none = () -> {
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
        };
        String url = startConsole(none);
        String base = url.replaceAll("/\\?session=.*$", "/");

        // A page opened without the session URL (another site, another tab) gets nothing.
        browser.get(base + "#/jobs");
        awaitText(".error", "CONSOLE_SESSION", 30);

        browser.get(url);
        awaitText("#session", "NO_CREDENTIALS", 30);
        awaitText(".error", "NO_CREDENTIALS", 30);
        assertThat(textOf(".error")).contains("no AWS credentials");

        browser.get(base + "#/jobs/new");
        type("#create-job input[name=productId]", "NOCREDS");
        type("#create-job input[name=targetVersion]", "1.0.0");
        type("#create-job textarea[name=deviceNames]", "d1");
        click(By.cssSelector("#create-job button[name=submit]"));
        awaitText("#create-job + div .error", "NO_CREDENTIALS", 30);

        assertThat(forwardedCalls()).as("calls that reached the API").isZero();
    }

    /**
     * Devices that answer update_firmware through the report functions: broken-4 fails with -4 until the
     * operator retries it, slow-5 stays downloading until broken-4 has succeeded, late-6 and late-7 never answer.
     */
    private static final class SimulatedFleet implements AutoCloseable {
        private final JobFixture fleet;
        private final ExecutorService devices = Executors.newCachedThreadPool();
        private final BiConsumer<String, byte[]> listener;

        SimulatedFleet(JobFixture fleet, CountDownLatch retryClicked, CountDownLatch brokenRetried) {
            this.fleet = fleet;
            this.listener = (topic, payload) -> {
                if (!topic.contains("/" + fleet.product + "/")) {
                    return;
                }
                JsonNode message;
                try {
                    message = SharedStack.JSON.readTree(payload);
                } catch (IOException e) {
                    return;
                }
                if (!"update_firmware".equals(message.path("type").asText())) {
                    return;
                }
                String device = topic.substring(topic.lastIndexOf('/') + 1);
                String version = message.path("version").asText();
                devices.submit(() -> {
                    if (device.startsWith("late")) {
                        return null; // never answers
                    }
                    Thread.sleep(1500);
                    if (device.startsWith("broken") && retryClicked.getCount() > 0) {
                        fleet.fail(device, version, -4);
                        return null;
                    }
                    fleet.progress(device, "downloading", version, 50, 0);
                    if (device.startsWith("slow")) {
                        brokenRetried.await(5, TimeUnit.MINUTES);
                    }
                    Thread.sleep(1500);
                    fleet.progress(device, "downloading", version, 100, 0);
                    fleet.progress(device, "burning", version, null, 0);
                    fleet.progress(device, "done", version, null, 0);
                    fleet.reportVersion(device, version);
                    return null;
                });
            };
            fleet.stack.aws().iotDataServer().addPublishListener(listener);
        }

        @Override
        public void close() {
            fleet.stack.aws().iotDataServer().removePublishListener(listener);
            devices.shutdownNow();
        }
    }

    /** The scheduler's rounds, every half second, as EventBridge would run them (faster). */
    private static final class ScheduledTicker implements AutoCloseable {
        private final Thread thread;

        ScheduledTicker(LocalStack stack) {
            thread = new Thread(
                    () -> {
                        while (!Thread.currentThread().isInterrupted()) {
                            try {
                                stack.tick();
                                Thread.sleep(500);
                            } catch (InterruptedException e) {
                                return;
                            } catch (Exception e) {
                                System.err.println("ConsoleIT tick: " + e);
                            }
                        }
                    },
                    "console-it-ticker");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
