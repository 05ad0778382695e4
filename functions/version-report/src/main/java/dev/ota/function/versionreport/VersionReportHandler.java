package dev.ota.function.versionreport;

import dev.ota.function.support.PrimingEvents;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.function.support.HandlerResponse;
import dev.ota.app.Outcome;
import dev.ota.function.support.ReportIntake;
import dev.ota.app.UpdateSender;
import dev.ota.app.VersionReportService;
import dev.ota.aws.dynamodb.DynamoDbClients;
import dev.ota.aws.dynamodb.DynamoDbDeviceStateStore;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.dynamodb.DynamoDbJobRepository;
import dev.ota.aws.dynamodb.DynamoDbRolloutStore;
import dev.ota.app.jobs.DynamicEnrollment;
import dev.ota.app.jobs.RepositoryJobAdmission;
import dev.ota.function.support.JobEngineSettings;
import java.time.Clock;
import dev.ota.aws.iot.IotClients;
import dev.ota.aws.iot.IotDataPlaneChannel;
import dev.ota.aws.iot.UpdateTopic;
import dev.ota.aws.presign.PresignConfig;
import dev.ota.aws.presign.SigV4DownloadUrlMinter;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.protocol.ProtocolJson;
import java.io.IOException;
import org.crac.Core;
import org.crac.Resource;
import java.io.InputStream;
import java.io.OutputStream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

/** IoT rule target for {@code report_version} messages. */
public final class VersionReportHandler implements RequestStreamHandler, Resource {

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final ReportIntake intake;
    private final VersionReportService service;

    /** Lambda's constructor: clients are built here, once per container. */
    public VersionReportHandler() {
        this(Settings.fromEnvironment());
        Core.getGlobalContext().register(this);
    }

    private VersionReportHandler(Settings settings) {
        this(settings, JobEngineSettings.fromEnvironment(), DynamoDbClients.fromEnvironment(), PresignConfig.fromEnvironment(),
                IotClients.dataPlaneFromEnvironment(settings.iotDataEndpoint()), Clock.systemUTC());
    }

    /** On the given clients, with the scheduler's default settings and the system clock. */
    public VersionReportHandler(Settings settings, DynamoDbClient dynamo, PresignConfig presign, IotDataPlaneClient iot) {
        this(settings, JobEngineSettings.defaults(), dynamo, presign, iot, Clock.systemUTC());
    }

    /**
     * Every resend and device-driven retry is admitted by its job first (one strongly consistent
     * read of the job's state, so nothing goes out once a cancel returned), and a device left
     * without a live update is offered to the product's dynamic jobs (cached per container, see
     * {@link DynamicEnrollment}).
     */
    public VersionReportHandler(Settings settings, JobEngineSettings engine, DynamoDbClient dynamo, PresignConfig presign,
                                IotDataPlaneClient iot, Clock clock) {
        StructuredLog log = new StructuredLog(json, "version-report");
        IotDataPlaneChannel channel = new IotDataPlaneChannel(iot, new UpdateTopic(settings.updateTopicTemplate()), json);
        Tables tables = settings.tables();
        DynamoDbJobRepository jobs = new DynamoDbJobRepository(dynamo, tables);
        this.intake = new ReportIntake(json, log);
        this.service = new VersionReportService(
                new DynamoDbDeviceStateStore(dynamo, tables),
                channel,
                new UpdateSender(new SigV4DownloadUrlMinter(presign, settings.firmwareBucket(), settings.urlExpiry()), channel),
                log,
                new RepositoryJobAdmission(jobs),
                new DynamicEnrollment(jobs, new DynamoDbRolloutStore(dynamo, tables), clock, engine.tuning().dynamicJobsTtl(), log));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ReportIntake.Intake<VersionReport> in = intake.accept(input.readAllBytes(), VersionReport.class);
        if (in.rejection() != null) {
            HandlerResponse.rejected(json, output, in.rejection());
            return;
        }
        Outcome outcome = service.handle(in.report());
        HandlerResponse.outcome(json, output, outcome.name());
    }

    /** SnapStart: warm the request path before the snapshot, so restored containers start warm. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        intake.accept(PrimingEvents.event("report_version"), VersionReport.class);
        service.prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: credentials come from the restored environment on each call.
    }
}
