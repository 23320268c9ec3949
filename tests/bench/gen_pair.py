#!/usr/bin/env python3
"""Generates a large synthetic region pair for the benchmark (tests/bench/run.sh).

Layout of the output folder:
  .regionlint.yaml                       primary us-east-1, standby us-west-2
  templates/*.yaml                       CloudFormation templates (shared by both regions)
  snapshot/<region>/service-quotas.json  `aws service-quotas list-service-quotas` for many services
  snapshot/<region>/iam-authorization-details.json
                                         `aws iam get-account-authorization-details`
  snapshot/<region>/describe-stacks.json `aws cloudformation describe-stacks`

Sizes scale with --scale (1.0 is about 100 MB in all); the output is deterministic for a
given --seed and --scale. Standard library only.
"""

import argparse
import json
import os
import random
import sys

REGIONS = ("us-east-1", "us-west-2")
ACCOUNT = "123456789012"

SERVICES = [
    ("lambda", "AWS Lambda"), ("sqs", "Amazon Simple Queue Service"),
    ("dynamodb", "Amazon DynamoDB"), ("ec2", "Amazon Elastic Compute Cloud (Amazon EC2)"),
    ("vpc", "Amazon Virtual Private Cloud (Amazon VPC)"), ("iam", "AWS Identity and Access Management"),
    ("s3", "Amazon Simple Storage Service (Amazon S3)"), ("rds", "Amazon Relational Database Service"),
    ("elasticloadbalancing", "Elastic Load Balancing"), ("kinesis", "Amazon Kinesis Data Streams"),
    ("states", "AWS Step Functions"), ("apigateway", "Amazon API Gateway"),
    ("sns", "Amazon Simple Notification Service"), ("ecs", "Amazon Elastic Container Service"),
    ("route53", "Amazon Route 53"), ("cloudformation", "AWS CloudFormation"),
]
QUOTA_NAMES = [
    "Concurrent executions", "Function and layer storage", "Elastic network interfaces per VPC",
    "Requests per second", "Maximum number of tables", "Table-level read throughput",
    "Running On-Demand Standard instances", "VPCs per Region", "EC2-VPC Elastic IPs",
    "Rules per security group", "Stacks per account", "Queues per account",
    "Provisioned concurrency", "Application Load Balancers per Region", "Shards per Region",
]
ACTIONS = [
    "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
    "s3:GetObject", "s3:PutObject", "s3:ListBucket", "kms:Decrypt", "kms:GenerateDataKey",
    "logs:CreateLogStream", "logs:PutLogEvents", "sns:Publish", "states:StartExecution",
    "lambda:InvokeFunction", "kinesis:PutRecords", "ssm:GetParameter",
]


def arn(service, region, resource, account=ACCOUNT):
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def timestamp(rng):
    return "2026-%02d-%02dT%02d:%02d:%02d+00:00" % (
        rng.randint(1, 11), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
        rng.randint(0, 59))


# ---- templates ------------------------------------------------------------------------

def template(rng, i):
    """One CloudFormation template in YAML with short-form intrinsics, a few KB to 30 KB."""
    app = f"app{i:04d}"
    other = "us-west-2" if i % 7 == 0 else None  # some templates reach across regions
    out = []
    w = out.append
    w("AWSTemplateFormatVersion: '2010-09-09'")
    w(f"Description: {app} \u2014 orders pipeline stack {i} (queues, tables, functions, roles)")
    w("Parameters:")
    w("  Stage:\n    Type: String\n    Default: prod\n    AllowedValues: [prod, staging, dev]")
    w("  PrimaryRegion:\n    Type: String\n    Default: us-east-1")
    w("Conditions:")
    w("  IsPrimary: !Equals [!Ref 'AWS::Region', !Ref PrimaryRegion]")
    w("  IsProd: !Equals [!Ref Stage, prod]")
    w("Mappings:\n  Sizes:\n    prod: {Memory: 1024, Concurrency: 100}\n"
      "    staging: {Memory: 512, Concurrency: 10}\n    dev: {Memory: 256, Concurrency: 2}")
    w("Resources:")
    for k in range(rng.randint(4, 14)):
        n = f"{k:02d}"
        w(f"  Queue{n}:")
        w("    Type: AWS::SQS::Queue")
        w("    Properties:")
        w(f"      QueueName: !Sub '{app}-q{n}-${{Stage}}-${{AWS::Region}}'")
        w(f"      VisibilityTimeout: {rng.choice([30, 60, 120, 300])}")
        w("      RedrivePolicy:")
        w(f"        deadLetterTargetArn: !GetAtt DeadLetter{n}.Arn")
        w("        maxReceiveCount: 5")
        w("      Tags:")
        w(f"        - {{Key: app, Value: {app}}}")
        w("        - {Key: owner, Value: team-orders}")
        w(f"  DeadLetter{n}:")
        w("    Type: AWS::SQS::Queue")
        w("    Properties:")
        w("      MessageRetentionPeriod: 1209600")
        w(f"  Table{n}:")
        w("    Type: AWS::DynamoDB::GlobalTable")
        w("    Properties:")
        w(f"      TableName: !Sub '{app}-t{n}-${{Stage}}'")
        w("      BillingMode: PAY_PER_REQUEST")
        w("      AttributeDefinitions:")
        w("        - AttributeName: pk\n          AttributeType: S")
        w("        - AttributeName: sk\n          AttributeType: S")
        w("      KeySchema:")
        w("        - {AttributeName: pk, KeyType: HASH}")
        w("        - {AttributeName: sk, KeyType: RANGE}")
        w("      StreamSpecification:\n        StreamViewType: NEW_AND_OLD_IMAGES")
        w("      Replicas:")
        for r in REGIONS:
            w(f"        - Region: {r}\n          PointInTimeRecoverySpecification:\n"
              "            PointInTimeRecoveryEnabled: true")
        w(f"  Role{n}:")
        w("    Type: AWS::IAM::Role")
        w("    Properties:")
        w(f"      RoleName: !Sub '{app}-fn{n}-${{AWS::Region}}'")
        w("      AssumeRolePolicyDocument:")
        w("        Version: '2012-10-17'")
        w("        Statement:")
        w("          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com"
          "\n            Action: sts:AssumeRole")
        w("      ManagedPolicyArns:")
        w("        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        w("      Policies:")
        w("        - PolicyName: data")
        w("          PolicyDocument:")
        w("            Version: '2012-10-17'")
        w("            Statement:")
        w("              - Effect: Allow")
        w(f"                Action: [{', '.join(rng.sample(ACTIONS, 4))}]")
        w("                Resource:")
        w(f"                  - !GetAtt Queue{n}.Arn")
        w(f"                  - !GetAtt Table{n}.Arn")
        w(f"                  - !Sub '${{Table{n}.Arn}}/index/*'")
        if other:
            w(f"                  - {arn('sqs', other, f'{app}-q{n}-prod-{other}')}")
        w(f"  Function{n}:")
        w("    Type: AWS::Lambda::Function")
        if k % 3 == 0:
            w("    Condition: IsPrimary")
        w("    Properties:")
        w(f"      FunctionName: !Sub '{app}-fn{n}-${{Stage}}'")
        w("      Runtime: python3.12")
        w("      Handler: index.handler")
        w(f"      Role: !GetAtt Role{n}.Arn")
        w("      MemorySize: !FindInMap [Sizes, !Ref Stage, Memory]")
        w("      ReservedConcurrentExecutions: !If [IsProd, 50, !Ref 'AWS::NoValue']")
        w("      Environment:")
        w("        Variables:")
        w(f"          QUEUE_URL: !Ref Queue{n}")
        w(f"          TABLE: !Ref Table{n}")
        w(f"          TOPIC: !Join [':', [arn, aws, sns, !Ref 'AWS::Region', !Ref 'AWS::AccountId', {app}]]")
        if other:
            w(f"          PEER_QUEUE: https://sqs.{other}.amazonaws.com/{ACCOUNT}/{app}-q{n}")
        w("      Code:")
        w("        ZipFile: |")
        w("          import json, os, boto3")
        w("          sqs = boto3.client('sqs')")
        w("          def handler(event, context):")
        w("              for record in event.get('Records', []):")
        w("                  sqs.send_message(QueueUrl=os.environ['QUEUE_URL'],")
        w("                                   MessageBody=json.dumps(record))")
        w("              return {'statusCode': 200}")
        w(f"  Mapping{n}:")
        w("    Type: AWS::Lambda::EventSourceMapping")
        w("    Properties:")
        w(f"      EventSourceArn: !GetAtt Queue{n}.Arn")
        w(f"      FunctionName: !Ref Function{n}")
        w("      BatchSize: 10")
    w("Outputs:")
    w("  Queue00Arn:")
    w("    Value: !GetAtt Queue00.Arn")
    w("    Export:")
    w(f"      Name: !Sub '${{AWS::StackName}}-{app}-Queue00Arn'")
    return "\n".join(out) + "\n"


# ---- snapshot exports -----------------------------------------------------------------

def quotas(rng, region, count):
    items = []
    for q in range(count):
        svc, svc_name = SERVICES[q % len(SERVICES)]
        code = "L-%08X" % (q * 2654435761 % (1 << 32))
        value = float(rng.choice([5, 10, 50, 100, 200, 500, 1000, 3000, 10000]))
        if region != REGIONS[0] and q % 11 == 0:
            value = value / 4  # the standby is lower for some quotas
        item = {
            "ServiceCode": svc,
            "ServiceName": svc_name,
            "QuotaArn": f"arn:aws:servicequotas:{region}:{ACCOUNT}:{svc}/{code}",
            "QuotaCode": code,
            "QuotaName": f"{QUOTA_NAMES[q % len(QUOTA_NAMES)]} ({q})",
            "Value": value,
            "Unit": "None",
            "Adjustable": q % 3 != 0,
            "GlobalQuota": False,
        }
        if q % 4 == 0:
            item["UsageMetric"] = {
                "MetricNamespace": "AWS/Usage",
                "MetricName": "ResourceCount",
                "MetricDimensions": {"Class": "None", "Resource": "vCPU", "Service": svc.upper(),
                                     "Type": "Resource"},
                "MetricStatisticRecommendation": "Maximum",
            }
        if q % 5 == 0:
            item["Period"] = {"PeriodValue": 1, "PeriodUnit": "SECOND"}
        items.append(item)
    return {"Quotas": items}


def policy_document(rng, region, app):
    stmts = []
    for s in range(rng.randint(1, 3)):
        res_region = region if rng.random() > 0.05 else "*"
        stmts.append({
            "Sid": f"Stmt{s}",
            "Effect": "Allow",
            "Action": rng.sample(ACTIONS, rng.randint(2, 6)),
            "Resource": [arn("sqs", res_region, f"{app}-q{s:02d}"),
                         arn("dynamodb", res_region, f"table/{app}-t{s:02d}")],
        })
    return {"Version": "2012-10-17", "Statement": stmts}


def authorization_details(rng, region, count):
    roles = []
    for i in range(count):
        app = f"app{i % 400:04d}"
        name = f"{app}-role{i:05d}-{region}"
        role_id = "AROA" + "%016X" % (i * 11400714819323198485 % (1 << 64))
        roles.append({
            "Path": "/service-role/",
            "RoleName": name,
            "RoleId": role_id[:21],
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/service-role/{name}",
            "CreateDate": timestamp(rng),
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow",
                               "Principal": {"Service": "lambda.amazonaws.com"},
                               "Action": "sts:AssumeRole"}],
            },
            "InstanceProfileList": [],
            "RolePolicyList": [
                {"PolicyName": f"{app}-inline-{p}", "PolicyDocument": policy_document(rng, region, app)}
                for p in range(rng.randint(1, 2))
            ],
            "AttachedManagedPolicies": [
                {"PolicyName": "AWSLambdaBasicExecutionRole",
                 "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
            ],
            "Tags": [{"Key": "app", "Value": app}, {"Key": "region", "Value": region}],
            "RoleLastUsed": {"LastUsedDate": timestamp(rng), "Region": region},
        })
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles,
            "Policies": [], "IsTruncated": False}


def describe_stacks(rng, region, count):
    stacks = []
    for i in range(count):
        name = f"app{i:04d}-{region}"
        stacks.append({
            "StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{name}/"
                       "%08x-%04x-%04x-%04x-%012x" % (i, i % 65536, 4096 + i % 4096, 32768 + i % 16384, i * 7919),
            "StackName": name,
            "Description": f"app{i:04d} \u2014 orders pipeline stack {i}",
            "Parameters": [{"ParameterKey": "Stage", "ParameterValue": "prod"},
                           {"ParameterKey": "PrimaryRegion", "ParameterValue": REGIONS[0]}],
            "CreationTime": timestamp(rng),
            "LastUpdatedTime": timestamp(rng),
            "RollbackConfiguration": {},
            "StackStatus": "UPDATE_COMPLETE" if i % 50 else "UPDATE_IN_PROGRESS",
            "DisableRollback": False,
            "NotificationARNs": [],
            "Capabilities": ["CAPABILITY_NAMED_IAM"],
            "Outputs": [{"OutputKey": "Queue00Arn",
                         "OutputValue": arn("sqs", region, f"app{i:04d}-q00-prod-{region}"),
                         "ExportName": f"{name}-app{i:04d}-Queue00Arn"}],
            "Tags": [{"Key": "app", "Value": f"app{i:04d}"}],
            "EnableTerminationProtection": True,
            "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
        })
    return {"Stacks": stacks}


def write_json(path, obj):
    # `aws` prints JSON with a 4-space indent
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=4, ensure_ascii=False)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="output folder (created)")
    ap.add_argument("--scale", type=float, default=1.0, help="size factor; 1.0 is about 100 MB")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args()
    if args.scale <= 0:
        ap.error("--scale must be positive")

    def scaled(n):
        return max(1, int(round(n * args.scale)))

    os.makedirs(os.path.join(args.out, "templates"), exist_ok=True)
    with open(os.path.join(args.out, ".regionlint.yaml"), "w", encoding="utf-8") as f:
        f.write("# generated by tests/bench/gen_pair.py\n"
                "primary: us-east-1\nstandby: [us-west-2]\nstrategy: warm-standby\n"
                "inputs:\n  us-east-1: [snapshot/us-east-1/**]\n  us-west-2: [snapshot/us-west-2/**]\n"
                "  shared: [templates/*.yaml]\n")
    rng = random.Random(args.seed)
    for i in range(scaled(400)):
        with open(os.path.join(args.out, "templates", f"app{i:04d}.yaml"), "w", encoding="utf-8") as f:
            f.write(template(rng, i))
    for region in REGIONS:
        d = os.path.join(args.out, "snapshot", region)
        os.makedirs(d, exist_ok=True)
        # one generator per region and file, so a file does not change with the others
        rrng = random.Random(f"{args.seed}-{region}")
        write_json(os.path.join(d, "service-quotas.json"), quotas(rrng, region, scaled(5000)))
        write_json(os.path.join(d, "iam-authorization-details.json"),
                   authorization_details(rrng, region, scaled(10000)))
        write_json(os.path.join(d, "describe-stacks.json"), describe_stacks(rrng, region, scaled(400)))

    total = files = 0
    for root, _, names in os.walk(args.out):
        for n in names:
            total += os.path.getsize(os.path.join(root, n))
            files += 1
    print(f"{args.out}: {files} files, {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
