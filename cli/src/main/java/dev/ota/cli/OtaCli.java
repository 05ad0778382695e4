package dev.ota.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.device.DeviceCommand;
import dev.ota.cli.firmware.FirmwareCommand;
import dev.ota.cli.fleet.FleetCommand;
import dev.ota.cli.job.JobCommand;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.StringJoiner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.iot.IotClient;

/** {@code ota}: the operators' command-line tool for the firmware-OTA backend's management API. */
@Command(
        name = "ota",
        mixinStandardHelpOptions = true,
        versionProvider = OtaCli.Version.class,
        description = {
            "Operate the firmware-OTA backend: the firmware catalogue, update jobs and device status. Every request is signed "
                    + "with AWS SigV4 (service execute-api), with credentials from the default chain: environment, profiles in "
                    + "~/.aws/credentials and ~/.aws/config (incl. SSO and roles), container and instance roles."
        },
        subcommands = {
            FirmwareCommand.class,
            JobCommand.class,
            DeviceCommand.class,
            FleetCommand.class,
            Completion.class,
            CommandLine.HelpCommand.class
        },
        sortOptions = false,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "  0:success",
            "  1:the API refused the request (4xx), or the operation failed (firmware REJECTED, job ABORTED or CANCELED)",
            "  2:usage error (unknown command, bad or missing option)",
            "  3:network error or timeout, or a server error (API or S3 5xx, throttled after retries)",
            "  4:configuration or access: no endpoint, region or credentials, or the API answered 401/403",
            "  5:waited longer than --timeout",
            "130:interrupted"
        },
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  OTA_API_URL  the API's base URL (stack output ManagementApiUrl)",
            "  OTA_IOT_ENDPOINT  the AWS IoT control plane's URL for `ota device register|deregister` (a stand-in; default: AWS's)",
            "  OTA_DEVICE_POLICY  the device policy `ota device register` attaches (stack output DevicePolicyName)",
            "  AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID, ...  as for every AWS tool"
        })
public final class OtaCli implements Runnable {

    public static final String VERSION = "1.0.0";

    enum Format {
        text,
        json,
        table
    }

    @Option(
            names = "--endpoint",
            scope = ScopeType.INHERIT,
            paramLabel = "URL",
            description = "The management API's base URL (default: $OTA_API_URL).")
    String endpoint;

    @Option(
            names = "--profile",
            scope = ScopeType.INHERIT,
            paramLabel = "NAME",
            description = "AWS profile for credentials and region (default: $AWS_PROFILE, then 'default').")
    String profile;

    @Option(
            names = "--region",
            scope = ScopeType.INHERIT,
            paramLabel = "REGION",
            description =
                    "Region to sign for (default: the endpoint's execute-api host, then $AWS_REGION, $AWS_DEFAULT_REGION or the profile's).")
    String region;

    @Option(
            names = "--output",
            scope = ScopeType.INHERIT,
            paramLabel = "FORMAT",
            description =
                    "text (default), json (the API's JSON, for scripts) or table (any JSON as tables, as the AWS CLI's).")
    Format output = Format.text;

    @Option(
            names = "--query",
            scope = ScopeType.INHERIT,
            paramLabel = "JMESPATH",
            converter = JsonQuery.Converter.class,
            description = "A JMESPath expression applied to the JSON the command prints, as the AWS CLI's "
                    + "(e.g. 'items[?state==`IN_PROGRESS`].jobId'). With text output a string prints bare, a list of "
                    + "strings tab-separated, anything else as JSON.")
    JsonQuery query;

    @Option(names = "--no-progress", scope = ScopeType.INHERIT, description = "No progress bars on stderr.")
    boolean noProgress;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print every HTTP call on stderr.")
    boolean debug;

    @Spec
    CommandSpec spec;

    private final CliEnvironment environment;
    private Api api;

    public OtaCli() {
        this(CliEnvironment.system());
    }

    public OtaCli(CliEnvironment environment) {
        this.environment = environment;
    }

    public static void main(String[] args) {
        System.exit(execute(CliEnvironment.system(), args));
    }

    /** Runs one command line; returns its exit code (see {@link ExitCodes}). */
    public static int execute(CliEnvironment environment, String... args) {
        CommandLine cli = new CommandLine(new OtaCli(environment));
        cli.setOut(new PrintWriter(environment.out(), true));
        cli.setErr(new PrintWriter(environment.err(), true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExitCodeExceptionMapper(e -> e instanceof CliException c ? c.exitCode() : ExitCodes.FAILED);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CommandLine.ParameterException p) {
                throw p;
            }
            if (e instanceof CliException c) {
                environment.err().println("ota: " + c.getMessage());
                return c.exitCode();
            }
            environment.err().println("ota: unexpected error: " + e);
            return ExitCodes.FAILED;
        });
        cli.setParameterExceptionHandler((e, argv) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("ota: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, c.getErr())) {
                c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            }
            return ExitCodes.USAGE;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing command: firmware, job, device or completion");
    }

    public CliEnvironment environment() {
        return environment;
    }

    /** Whether stdout carries JSON (or a table, or a query's result) rather than the text rendering. */
    public boolean json() {
        return output != Format.text || query != null;
    }

    public boolean progress() {
        return !noProgress;
    }

    public ProgressBar bar(String label, long total) {
        return new ProgressBar(environment.err(), label, total, environment.terminal(), progress());
    }

    /** The API client for the global options: endpoint, region and credentials resolved once. */
    public Api api() {
        if (api != null) {
            return api;
        }
        String url = endpoint != null ? endpoint : environment.variable("OTA_API_URL");
        if (url == null) {
            throw new CliException(
                    ExitCodes.CONFIG,
                    "no API endpoint: pass --endpoint or set OTA_API_URL (stack output ManagementApiUrl)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new CliException(ExitCodes.CONFIG, "--endpoint '" + url + "' is not a URL");
        }
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                || uri.getHost() == null) {
            throw new CliException(ExitCodes.CONFIG, "--endpoint '" + url + "' must be an http(s) URL");
        }
        String signingRegion = region != null ? region : Api.regionOf(uri);
        if (signingRegion == null) {
            signingRegion = environment.variable("AWS_REGION") != null
                    ? environment.variable("AWS_REGION")
                    : environment.variable("AWS_DEFAULT_REGION");
        }
        if (signingRegion == null) {
            try {
                signingRegion = (profile == null
                                ? DefaultAwsRegionProviderChain.builder().build()
                                : DefaultAwsRegionProviderChain.builder()
                                        .profileName(profile)
                                        .build())
                        .getRegion()
                        .id();
            } catch (SdkClientException e) {
                throw new CliException(
                        ExitCodes.CONFIG, "no region: pass --region, set AWS_REGION, or give the profile a region");
            }
        }
        AwsCredentialsProvider credentials = environment.credentialsOverride() != null
                ? environment.credentialsOverride()
                : profile == null
                        ? DefaultCredentialsProvider.builder().build()
                        : DefaultCredentialsProvider.builder()
                                .profileName(profile)
                                .build();
        api = new Api(uri, signingRegion, credentials, debug ? environment.err() : null);
        return api;
    }

    /**
     * The AWS IoT control-plane client for {@code ota device register|deregister}: the region from
     * --region, $AWS_REGION / $AWS_DEFAULT_REGION or the profile; credentials as for the API.
     *
     * @param endpoint the control plane's URL, for a stand-in such as moto_server; null for AWS's own
     */
    public IotClient iot(String endpoint) {
        String iotRegion = region != null
                ? region
                : environment.variable("AWS_REGION") != null
                        ? environment.variable("AWS_REGION")
                        : environment.variable("AWS_DEFAULT_REGION");
        if (iotRegion == null) {
            try {
                iotRegion = (profile == null
                                ? DefaultAwsRegionProviderChain.builder().build()
                                : DefaultAwsRegionProviderChain.builder()
                                        .profileName(profile)
                                        .build())
                        .getRegion()
                        .id();
            } catch (SdkClientException e) {
                throw new CliException(
                        ExitCodes.CONFIG, "no region: pass --region, set AWS_REGION, or give the profile a region");
            }
        }
        AwsCredentialsProvider credentials = environment.credentialsOverride() != null
                ? environment.credentialsOverride()
                : profile == null
                        ? DefaultCredentialsProvider.builder().build()
                        : DefaultCredentialsProvider.builder()
                                .profileName(profile)
                                .build();
        var builder = IotClient.builder()
                .region(Region.of(iotRegion))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (endpoint != null) {
            try {
                builder.endpointOverride(new URI(endpoint));
            } catch (URISyntaxException e) {
                throw new CliException(ExitCodes.CONFIG, "--iot-endpoint '" + endpoint + "' is not a URL");
            }
        }
        return builder.build();
    }

    /**
     * Prints what a command answers: the API's JSON (--output json), as tables (--output table), or the
     * command's text rendering; --query picks from the JSON first.
     */
    public void print(JsonNode node, Runnable text) {
        JsonNode shown = query == null ? node : query.apply(node);
        switch (output) {
            case json -> environment.out().println(pretty(shown));
            case table -> JsonTable.print(environment.out(), shown);
            case text -> {
                if (query == null) {
                    text.run();
                } else {
                    environment.out().println(plain(shown));
                }
            }
        }
    }

    private static String pretty(JsonNode node) {
        try {
            return Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A query's result as text: a scalar bare, a list of scalars tab-separated (as the AWS CLI's text output), else JSON. */
    private static String plain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "None";
        }
        if (node.isValueNode()) {
            return node.asText();
        }
        if (node.isArray()) {
            StringJoiner line = new StringJoiner("\t");
            for (JsonNode e : node) {
                if (e.isContainerNode()) {
                    return pretty(node);
                }
                line.add(e.asText());
            }
            return line.toString();
        }
        return pretty(node);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ota " + VERSION + " (management API client; SigV4 via AWS SDK for Java v2)"};
        }
    }
}
