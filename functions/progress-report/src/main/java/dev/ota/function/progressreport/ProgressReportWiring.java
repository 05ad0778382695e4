package dev.ota.function.progressreport;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.ProgressReportService;
import dev.ota.aws.dynamodb.DynamoDbDeviceStateStore;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.function.support.Environment;
import dev.ota.function.support.Observability;
import dev.ota.function.support.ReportIntake;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.protocol.ProtocolJson;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The progress-report function's composition root: one DynamoDB client and the service, once per container. */
public record ProgressReportWiring(
        ObjectMapper json, ReportIntake intake, ProgressReportService service, Observability observability) {

    public ProgressReportWiring(ObjectMapper json, ReportIntake intake, ProgressReportService service) {
        this(json, intake, service, Observability.none());
    }

    public static ProgressReportWiring fromEnvironment() {
        Environment env = Environment.system();
        return of(env, AwsClients.fromEnvironment(env));
    }

    public static ProgressReportWiring of(Environment env, AwsClients aws) {
        Settings settings = Settings.from(env);
        ObjectMapper json = ProtocolJson.newMapper();
        StructuredLog log = new StructuredLog(json, "progress-report");
        DynamoDbClient dynamo = aws.build(Service.DYNAMODB, DynamoDbClient.builder());
        Observability observability = Observability.of(env, aws, json, log, true);
        return new ProgressReportWiring(
                json,
                new ReportIntake(json, log, ReportIntake.reportTopic(env), observability.metrics()),
                new ProgressReportService(
                        observability.observed(new DynamoDbDeviceStateStore(dynamo, settings.tables())), log),
                observability);
    }
}
