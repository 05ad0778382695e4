package dev.ota.local.template;

/**
 * The pseudo parameters of the local "deployment" of template.yaml: where CloudFormation would
 * supply {@code AWS::AccountId}, {@code AWS::Region}, {@code AWS::StackId} and so on. Every name and
 * ARN the template computes from them (the bucket's name, the roles' resources) is computed from
 * these, so local resources have the ARNs the template's policies name, as on AWS.
 *
 * <p>The account is moto_server's default account, so the queue URLs moto hands out carry it too.
 */
public record LocalDeployment(String partition, String region, String accountId, String stackName, String stackId) {

    public static final LocalDeployment DEFAULT = new LocalDeployment(
            "aws",
            "us-east-1",
            "123456789012",
            "ota-local",
            "arn:aws:cloudformation:us-east-1:123456789012:stack/ota-local/00000000-0000-0000-0000-000000000000");

    public String urlSuffix() {
        return partition.equals("aws-cn") ? "amazonaws.com.cn" : "amazonaws.com";
    }
}
