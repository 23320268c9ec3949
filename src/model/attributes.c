/* Attributes AWS makes from a resource's region, account and name: an SQS queue's URL and
 * ARN, a table's ARN, a function's ARN, ... The evaluator writes them for a reference to a
 * resource of another region (a Terraform provider alias), so that a standby function that
 * reads the primary's queue URL through ${aws_sqs_queue.q.url} is seen calling the
 * primary's endpoint. Placeholders: {partition} {region} {account} {name} {urlsuffix}. */
#include "model_private.h"

#include <string.h>

typedef struct attr_form {
    const char *type;
    const char *attr; /* the attribute; "" for Ref (CloudFormation) */
    const char *form;
    const char *name_prop; /* the property that holds {name} */
} attr_form;

static const attr_form forms[] = {
    /* SQS */
    {"aws_sqs_queue", "url", "https://sqs.{region}.{urlsuffix}/{account}/{name}", "name"},
    {"aws_sqs_queue", "id", "https://sqs.{region}.{urlsuffix}/{account}/{name}", "name"},
    {"aws_sqs_queue", "arn", "arn:{partition}:sqs:{region}:{account}:{name}", "name"},
    {"AWS::SQS::Queue", "", "https://sqs.{region}.{urlsuffix}/{account}/{name}", "QueueName"},
    {"AWS::SQS::Queue", "QueueUrl", "https://sqs.{region}.{urlsuffix}/{account}/{name}",
     "QueueName"},
    {"AWS::SQS::Queue", "Arn", "arn:{partition}:sqs:{region}:{account}:{name}", "QueueName"},
    /* SNS */
    {"aws_sns_topic", "arn", "arn:{partition}:sns:{region}:{account}:{name}", "name"},
    {"aws_sns_topic", "id", "arn:{partition}:sns:{region}:{account}:{name}", "name"},
    {"AWS::SNS::Topic", "", "arn:{partition}:sns:{region}:{account}:{name}", "TopicName"},
    {"AWS::SNS::Topic", "TopicArn", "arn:{partition}:sns:{region}:{account}:{name}", "TopicName"},
    /* DynamoDB */
    {"aws_dynamodb_table", "arn", "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
     "name"},
    {"AWS::DynamoDB::Table", "Arn", "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
     "TableName"},
    /* Lambda */
    {"aws_lambda_function", "arn", "arn:{partition}:lambda:{region}:{account}:function:{name}",
     "function_name"},
    {"aws_lambda_function", "invoke_arn",
     "arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/"
     "arn:{partition}:lambda:{region}:{account}:function:{name}/invocations",
     "function_name"},
    {"AWS::Lambda::Function", "Arn", "arn:{partition}:lambda:{region}:{account}:function:{name}",
     "FunctionName"},
    /* Kinesis */
    {"aws_kinesis_stream", "arn", "arn:{partition}:kinesis:{region}:{account}:stream/{name}",
     "name"},
    {"AWS::Kinesis::Stream", "Arn", "arn:{partition}:kinesis:{region}:{account}:stream/{name}",
     "Name"},
    /* Step Functions */
    {"aws_sfn_state_machine", "arn",
     "arn:{partition}:states:{region}:{account}:stateMachine:{name}", "name"},
    {"AWS::StepFunctions::StateMachine", "",
     "arn:{partition}:states:{region}:{account}:stateMachine:{name}", "StateMachineName"},
    /* ECR */
    {"aws_ecr_repository", "repository_url", "{account}.dkr.ecr.{region}.{urlsuffix}/{name}",
     "name"},
    {"aws_ecr_repository", "arn", "arn:{partition}:ecr:{region}:{account}:repository/{name}",
     "name"},
    {"AWS::ECR::Repository", "RepositoryUri", "{account}.dkr.ecr.{region}.{urlsuffix}/{name}",
     "RepositoryName"},
    /* S3: the bucket's regional endpoint (its ARN names no region) */
    {"aws_s3_bucket", "bucket_regional_domain_name", "{name}.s3.{region}.{urlsuffix}", "bucket"},
    {"AWS::S3::Bucket", "RegionalDomainName", "{name}.s3.{region}.{urlsuffix}", "BucketName"},
    /* CloudWatch Logs */
    {"aws_cloudwatch_log_group", "arn", "arn:{partition}:logs:{region}:{account}:log-group:{name}",
     "name"},
};

const char *rl_attr_form(const char *type, const char *attr, const char **name_prop)
{
    if (!type)
        return NULL;
    if (!attr)
        attr = "";
    for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++)
        if (!strcmp(forms[i].type, type) && !strcmp(forms[i].attr, attr)) {
            *name_prop = forms[i].name_prop;
            return forms[i].form;
        }
    return NULL;
}
