#!/usr/bin/env bash
# deploy.sh: puts the stock-anomalies pipeline onto Google Cloud with one command, or takes it down again.
#
#   ./deploy.sh --project=P [--region=R] [options]              deploy; idempotent, run it again to converge
#   ./deploy.sh --project=P --teardown [--delete-data] --yes    remove what deploy.sh created
#   add --dry-run to either to print the commands, one per line, without running any
#
# ./deploy.sh --help lists the options; docs/deploy.md explains what is created and why.
#
# Output: every command that changes something is printed on stdout as '+ <command>' and every read-only query
# as '? <command>', shell-quoted, in the order they run. Progress notes go to stderr as '# ...'. With --dry-run
# nothing runs, no login or network is needed, and every existence check is taken as "absent" (deploy) or
# "present" (teardown), so the output is the complete command list of a first deploy or a full teardown.
#
# Needs bash 3.2+, the Google Cloud CLI (gcloud), node (for JSON and hashing) and, for the rules, curl.
set -Eeuo pipefail

# ---------------------------------------------------------------------------------------------------------------
# Sizing (benchmark-tunable). Each can also be set from the environment, e.g. INGEST_MEMORY=4GiB ./deploy.sh ...
# ---------------------------------------------------------------------------------------------------------------
: "${FUNCTIONS_RUNTIME:=nodejs22}"
: "${INGEST_MEMORY:=2GiB}"
: "${INGEST_TIMEOUT:=540s}"
: "${INGEST_MAX_INSTANCES:=10}"
: "${INGEST_RETRY:=true}"
: "${INGEST_VPC_EGRESS:=private-ranges-only}" # or all (then Cloud Storage and Firestore traffic also crosses the connector)
: "${DETECT_MEMORY:=512MiB}"
: "${DETECT_TIMEOUT:=60s}"
: "${DETECT_MAX_INSTANCES:=20}"
: "${NOTIFY_MEMORY:=256MiB}"
: "${NOTIFY_TIMEOUT:=60s}"
: "${NOTIFY_MAX_INSTANCES:=10}"
: "${ESCALATE_MEMORY:=256MiB}"
: "${ESCALATE_TIMEOUT:=60s}"
: "${ESCALATE_MAX_INSTANCES:=3}"
: "${DISPATCHER_CPU:=1}"
: "${DISPATCHER_MEMORY:=512Mi}"
: "${CONSOLE_CPU:=1}"
: "${CONSOLE_MEMORY:=512Mi}"
: "${CONSOLE_MAX_INSTANCES:=3}"
: "${KAFKA_CLUSTER_CPU:=3}"
: "${KAFKA_CLUSTER_MEMORY:=3GiB}"
: "${KAFKA_REPLICATION_FACTOR:=3}"
: "${CONNECTOR_MACHINE_TYPE:=e2-micro}"
: "${CONNECTOR_MIN_INSTANCES:=2}"
: "${CONNECTOR_MAX_INSTANCES:=3}"
: "${PUBSUB_MAX_DELIVERY_ATTEMPTS:=10}"

# ---------------------------------------------------------------------------------------------------------------
# Fixed names (one deployment per project and region).
# ---------------------------------------------------------------------------------------------------------------
readonly APP=stock-anomalies
readonly SA_INGEST=anomalies-ingest
readonly SA_DETECT=anomalies-detect
readonly SA_NOTIFY=anomalies-notify
readonly SA_ESCALATE=anomalies-escalate
readonly SA_DISPATCHER=anomalies-dispatcher
readonly SA_TRIGGER=anomalies-trigger
readonly SA_BUILDER=anomalies-builder
readonly SA_CONSOLE=anomalies-console
readonly WORKER_POOL=anomalies-dispatcher
readonly CONSOLE_SERVICE=stock-anomalies-console
readonly CONNECTOR=anomalies-ingest
readonly REPOSITORY=stock-anomalies
readonly KAFKA_PASSWORD_SECRET=kafka-sasl-password
readonly CHAT_WEBHOOK_SECRET=chat-webhook-url
readonly DEFAULT_NETWORK=stock-anomalies
readonly FIRESTORE_DATABASE='(default)'
readonly TTL_FIELD=expireAt
readonly RULES_API=https://firebaserules.googleapis.com/v1
# Retention (docs/deploy.md, "Nothing expires silently"). Kafka keeps every record: a record waits, with its
# partition, behind a stopped dispatcher or a symbol's state Firestore cannot give, for as long as that takes, and
# a record removed before the dispatcher's group handled it would be skipped. Pub/Sub caps a subscription's
# retention at 7 days and a topic's at 31: notify's dead letters stay on their subscription for 7 days and on
# their topic for 31, from where a seek brings them back.
readonly KAFKA_TOPIC_CONFIGS=retention.ms=-1
readonly DEAD_LETTER_SUBSCRIPTION_RETENTION=7d
readonly DEAD_LETTER_SUBSCRIPTION_RETENTION_SECONDS=604800s
readonly DEAD_LETTER_TOPIC_RETENTION=31d
readonly DEAD_LETTER_TOPIC_RETENTION_SECONDS=2678400s

# ---------------------------------------------------------------------------------------------------------------
# Runtime environment of each component: exactly the variables the registry (shared/config/variables.ts) says
# deploy.sh sets for it, which are the ones its settings read, plus GOOGLE_CLOUD_PROJECT (a test checks this).
# Mode-dependent additions are appended in configure(). ingest compiles the detection parameters as detect does
# (it uses only the zone), so it gets the same thresholds.
# ---------------------------------------------------------------------------------------------------------------
INGEST_ENV=(UPLOAD_PREFIX QUARANTINE_PREFIX KAFKA_BROKERS KAFKA_TOPIC KAFKA_CLIENT_ID KAFKA_SASL_MECHANISM KAFKA_SSL
  BATCH_MINUTES INGEST_LEASE_MS MAX_LINE_BYTES MAX_OBJECT_BYTES MAX_ROWS_PER_OBJECT MAX_SYMBOLS_PER_OBJECT
  MAX_SET_ASIDE_ROWS FUTURE_SKEW_MINUTES INGESTIONS_COLLECTION EXCHANGE_TIMEZONE A1_THRESHOLD A2_THRESHOLD
  WINDOW_MINUTES EPISODE_GAP_MINUTES LATENESS_HORIZON_DAYS GOOGLE_CLOUD_PROJECT)
DETECT_ENV=(ANOMALIES_TOPIC STATE_COLLECTION INGESTIONS_COLLECTION A1_THRESHOLD A2_THRESHOLD WINDOW_MINUTES
  EPISODE_GAP_MINUTES LATENESS_HORIZON_DAYS EPISODES_COLLECTION BARS_COLLECTION EXCHANGE_TIMEZONE ESCALATION_SCORE
  ESCALATIONS_TOPIC PEER_GROUPS GOOGLE_CLOUD_PROJECT)
NOTIFY_ENV=(ALERTS_COLLECTION ALERT_TTL_DAYS GOOGLE_CLOUD_PROJECT)
# escalate's CHAT_WEBHOOK_URL is a credential: it comes from Secret Manager (ESCALATE_SECRET_FLAGS), not from here.
ESCALATE_ENV=(ESCALATIONS_COLLECTION CHAT_WEBHOOK_FORMAT CONSOLE_URL GOOGLE_CLOUD_PROJECT)
DISPATCHER_ENV=(KAFKA_BROKERS KAFKA_TOPIC KAFKA_DEAD_LETTER_TOPIC KAFKA_CLIENT_ID KAFKA_GROUP_ID KAFKA_SASL_MECHANISM
  KAFKA_SSL DETECT_URL DISPATCH_AUTH DISPATCH_INITIAL_BACKOFF_MS DISPATCH_MAX_BACKOFF_MS DISPATCH_ATTEMPT_TIMEOUT_MS
  GOOGLE_CLOUD_PROJECT)
CONSOLE_ENV=(ALERTS_COLLECTION INGESTIONS_COLLECTION STATE_COLLECTION EPISODES_COLLECTION BARS_COLLECTION A1_THRESHOLD
  A2_THRESHOLD WINDOW_MINUTES EPISODE_GAP_MINUTES LATENESS_HORIZON_DAYS UPLOAD_BUCKET QUARANTINE_PREFIX KAFKA_BROKERS
  KAFKA_TOPIC KAFKA_DEAD_LETTER_TOPIC KAFKA_CLIENT_ID KAFKA_GROUP_ID KAFKA_SASL_MECHANISM KAFKA_SSL EXCHANGE_TIMEZONE
  ANOMALIES_DEAD_LETTER_SUBSCRIPTION CONSOLE_AUDIENCES CONSOLE_AUDIT_DATABASE GOOGLE_CLOUD_PROJECT)

# Values (V_<NAME>, read indirectly by env_flag); the defaults are the registry's except where the cloud differs.
# shellcheck disable=SC2034
{
  V_UPLOAD_BUCKET=
  V_UPLOAD_PREFIX=uploads/
  V_QUARANTINE_PREFIX=quarantine/
  V_KAFKA_BROKERS=
  V_KAFKA_TOPIC=minute-bars
  V_KAFKA_DEAD_LETTER_TOPIC=minute-bars-dead-letter
  V_KAFKA_CLIENT_ID=stock-anomalies
  V_KAFKA_GROUP_ID=stock-anomalies-detect
  V_KAFKA_SASL_MECHANISM=
  V_KAFKA_SASL_USERNAME=
  V_KAFKA_SSL=true
  V_BATCH_MINUTES=1875
  V_INGEST_LEASE_MS=60000
  V_MAX_LINE_BYTES=65536
  V_MAX_OBJECT_BYTES=1073741824
  V_MAX_ROWS_PER_OBJECT=18000000
  V_MAX_SYMBOLS_PER_OBJECT=10000
  V_MAX_SET_ASIDE_ROWS=1000000
  V_FUTURE_SKEW_MINUTES=5
  V_ANOMALIES_TOPIC=anomalies
  V_ESCALATIONS_TOPIC=suspicious-episodes
  V_ESCALATION_SCORE=60
  V_PEER_GROUPS=
  V_ESCALATIONS_COLLECTION=escalations
  V_CHAT_WEBHOOK_FORMAT=
  V_CONSOLE_URL=http://localhost:8080/
  V_ANOMALIES_DEAD_LETTER_SUBSCRIPTION=
  V_INGESTIONS_COLLECTION=ingestions
  V_ALERTS_COLLECTION=alerts
  V_STATE_COLLECTION=symbol-state
  V_EXCHANGE_TIMEZONE=Asia/Kolkata
  V_A1_THRESHOLD=0.005
  V_A2_THRESHOLD=0.02
  V_WINDOW_MINUTES=10
  V_EPISODE_GAP_MINUTES=5
  V_LATENESS_HORIZON_DAYS=7
  V_EPISODES_COLLECTION=episodes
  V_BARS_COLLECTION=bars
  V_DETECT_URL=
  V_DISPATCH_AUTH=google-id-token
  V_DISPATCH_INITIAL_BACKOFF_MS=200
  V_DISPATCH_MAX_BACKOFF_MS=30000
  V_DISPATCH_ATTEMPT_TIMEOUT_MS=300000
  V_ALERT_TTL_DAYS=0
  V_CONSOLE_AUDIENCES=
  V_CONSOLE_AUDIT_DATABASE=audit
  V_GOOGLE_CLOUD_PROJECT=
}
# Which of them --set may override (collections are fixed by firestore.rules and firestore.indexes.json; Kafka
# connection settings have their own options; DETECT_URL and DISPATCH_AUTH follow from the deployment).
readonly SETTABLE=" UPLOAD_PREFIX QUARANTINE_PREFIX KAFKA_TOPIC KAFKA_DEAD_LETTER_TOPIC KAFKA_CLIENT_ID KAFKA_GROUP_ID
  BATCH_MINUTES ANOMALIES_TOPIC EXCHANGE_TIMEZONE A1_THRESHOLD A2_THRESHOLD WINDOW_MINUTES EPISODE_GAP_MINUTES
  LATENESS_HORIZON_DAYS DISPATCH_INITIAL_BACKOFF_MS DISPATCH_MAX_BACKOFF_MS DISPATCH_ATTEMPT_TIMEOUT_MS
  MAX_LINE_BYTES MAX_OBJECT_BYTES MAX_ROWS_PER_OBJECT MAX_SYMBOLS_PER_OBJECT MAX_SET_ASIDE_ROWS FUTURE_SKEW_MINUTES
  ESCALATION_SCORE ESCALATIONS_TOPIC CHAT_WEBHOOK_FORMAT PEER_GROUPS "

# ---------------------------------------------------------------------------------------------------------------
# Options (flag, or DEPLOY_* environment variable).
# ---------------------------------------------------------------------------------------------------------------
MODE=deploy
DRY_RUN=0
DELETE_DATA=0
ASSUME_YES=0
USE_VPC=1
PROJECT=${DEPLOY_PROJECT:-}
REGION=${DEPLOY_REGION:-us-central1}
BUCKET=${DEPLOY_BUCKET:-}
FIRESTORE_LOCATION=${DEPLOY_FIRESTORE_LOCATION:-}
KAFKA_BOOTSTRAP=${DEPLOY_KAFKA_BOOTSTRAP:-}
KAFKA_SASL=${DEPLOY_KAFKA_SASL:-}
KAFKA_USERNAME=${DEPLOY_KAFKA_USERNAME:-}
KAFKA_PASSWORD_FILE=${DEPLOY_KAFKA_PASSWORD_FILE:-}
KAFKA_CLUSTER=${DEPLOY_KAFKA_CLUSTER:-stock-anomalies}
PARTITIONS=${DEPLOY_PARTITIONS:-48}
NETWORK=${DEPLOY_NETWORK:-$DEFAULT_NETWORK}
SUBNET=${DEPLOY_SUBNET:-}
SUBNET_RANGE=${DEPLOY_SUBNET_RANGE:-10.10.0.0/24}
CONNECTOR_RANGE=${DEPLOY_CONNECTOR_RANGE:-10.10.1.0/28}
ALLOWED_GROUP=${DEPLOY_ALLOWED_GROUP:-anomaly-readers}
CONSOLE_GROUP=${DEPLOY_CONSOLE_GROUP:-}
ALERT_TTL_DAYS=${DEPLOY_ALERT_TTL_DAYS:-0}
DISPATCHER_INSTANCES=${DEPLOY_DISPATCHER_INSTANCES:-1}
CHAT_WEBHOOK_URL_FILE=${DEPLOY_CHAT_WEBHOOK_URL_FILE:-}
if [[ -n ${DEPLOY_CONSOLE_URL:-} ]]; then V_CONSOLE_URL=$DEPLOY_CONSOLE_URL; fi
if [[ -n ${DEPLOY_UPLOAD_PREFIX+set} ]]; then V_UPLOAD_PREFIX=$DEPLOY_UPLOAD_PREFIX; fi
if [[ -n ${DEPLOY_QUARANTINE_PREFIX+set} ]]; then V_QUARANTINE_PREFIX=$DEPLOY_QUARANTINE_PREFIX; fi

usage() {
  cat <<'EOF'
Usage: ./deploy.sh [options]             deploy the pipeline (idempotent)
       ./deploy.sh --teardown [options]  remove it

General
  --project=ID              Google Cloud project (env DEPLOY_PROJECT; default: gcloud config's project)
  --region=REGION           region of every regional resource (env DEPLOY_REGION; default us-central1)
  --dry-run                 print every command ('+ ' changes, '? ' queries) in order, run none; needs no login
  --teardown                delete what deploy.sh created (pass the same options as for the deploy)
  --delete-data             with --teardown: also delete the bucket and the Firestore database
  --yes                     with --teardown: do not ask for confirmation
  -h, --help                this help

Storage and Firestore
  --bucket=NAME             upload bucket (env DEPLOY_BUCKET; default <project>-stock-anomalies)
  --upload-prefix=P         object prefix that triggers ingestion (default uploads/)
  --quarantine-prefix=P     object prefix for quarantined rows (default quarantine/)
  --firestore-location=L    Firestore location (default: the region)
  --allowed-group=NAME      group whose members may read alerts/ and ingestions/ with the client SDKs: a
                            value of the 'groups' custom claim on their Firebase Auth token (default anomaly-readers)
  --alert-ttl-days=N        delete alerts N days after they are written (Firestore TTL on alerts.expireAt;
                            notify sets expireAt from ALERT_TTL_DAYS); 0 = keep forever (default 0)

Kafka
  --partitions=N            partitions of the minute-bars topic (default 48; can grow, never shrink)
  --kafka-cluster=NAME      Managed Service for Apache Kafka cluster to create (default stock-anomalies)
  --kafka-bootstrap=H:P,... use an existing cluster instead of creating one (its topics must exist)
  --kafka-sasl=MECH         oauthbearer | plain | none (default oauthbearer; plain for --kafka-bootstrap)
  --kafka-username=U        SASL/PLAIN user name
  --kafka-password-file=F   SASL/PLAIN password, stored in Secret Manager (or env KAFKA_SASL_PASSWORD)
  --dispatcher-instances=N  worker pool instances (consumers in the group; <= partitions; default 1)

Console
  --console-group=EMAIL     Google group whose members may open the console (roles/run.invoker on its Cloud Run
                            service, and nobody else; env DEPLOY_CONSOLE_GROUP). Without it the console is
                            deployed but nobody may invoke it. An IAM group, unlike --allowed-group's claim.
  --console-url=URL         the console's address as analysts open it, for the episode links escalate posts
                            (env DEPLOY_CONSOLE_URL; default http://localhost:8080/, where
                            'gcloud run services proxy' serves it)

Escalation (an episode whose settled suspicion score reaches ESCALATION_SCORE, posted to a chat)
  --chat-webhook-url-file=F the chat's incoming webhook URL (Slack or Google Chat), stored in Secret Manager as
                            chat-webhook-url (or env CHAT_WEBHOOK_URL); kept after; without it escalate only logs

Network
  --network=NAME            VPC network (default stock-anomalies, created; an existing one is used as is)
  --subnet=NAME             subnet in the region (default = network name, created with --subnet-range)
  --subnet-range=CIDR       default 10.10.0.0/24 (Kafka endpoints and the worker pool's Direct VPC egress)
  --connector-range=CIDR    /28 for the Serverless VPC Access connector of ingest (default 10.10.1.0/28)
  --no-vpc                  with --kafka-bootstrap: the cluster is reachable from the internet; no VPC at all

Runtime settings
  --set=NAME=VALUE          override a runtime variable: UPLOAD_PREFIX QUARANTINE_PREFIX KAFKA_TOPIC
                            KAFKA_DEAD_LETTER_TOPIC KAFKA_CLIENT_ID KAFKA_GROUP_ID BATCH_MINUTES ANOMALIES_TOPIC
                            EXCHANGE_TIMEZONE A1_THRESHOLD A2_THRESHOLD WINDOW_MINUTES EPISODE_GAP_MINUTES
                            LATENESS_HORIZON_DAYS DISPATCH_INITIAL_BACKOFF_MS DISPATCH_MAX_BACKOFF_MS
                            DISPATCH_ATTEMPT_TIMEOUT_MS MAX_LINE_BYTES MAX_OBJECT_BYTES MAX_ROWS_PER_OBJECT
                            MAX_SYMBOLS_PER_OBJECT MAX_SET_ASIDE_ROWS FUTURE_SKEW_MINUTES ESCALATION_SCORE
                            ESCALATIONS_TOPIC CHAT_WEBHOOK_FORMAT PEER_GROUPS (the suspicion score's peer
                            groups: --set='PEER_GROUPS=banks=HDFCBANK,SBIN;it=TCS,INFY')

Sizing comes from the variables at the top of this file (INGEST_MEMORY, DETECT_MAX_INSTANCES, ...), which the
environment can override. See docs/deploy.md.
EOF
}

# ---------------------------------------------------------------------------------------------------------------
# Output and error helpers.
# ---------------------------------------------------------------------------------------------------------------
log() { printf '# %s\n' "$*" >&2; }
warn() { printf '# WARNING: %s\n' "$*" >&2; }
die() {
  printf 'deploy.sh: error: %s\n' "$*" >&2
  exit 1
}

readonly SAFE_WORD='^[A-Za-z0-9_@%+=:,./-]+$'
quote_word() {
  if [[ $1 =~ $SAFE_WORD ]]; then
    printf '%s' "$1"
  else
    local escaped="'\\''"
    printf "'%s'" "${1//\'/$escaped}"
  fi
}

# print_cmd PREFIX WORD... : one shell-quoted line on stdout.
print_cmd() {
  local line=$1 word
  shift
  for word in "$@"; do line+=" $(quote_word "$word")"; done
  printf '%s\n' "$line"
}

# explain_failure STDERR_FILE COMMAND... : a clear message for the usual causes, then exit.
explain_failure() {
  local errfile=$1
  shift
  local cmd
  cmd=$(print_cmd '' "$@")
  if grep -qiE 'PERMISSION_DENIED|does not have permission|permission.*denied|caller does not have|403 Forbidden|HTTPError 403|Forbidden' "$errfile"; then
    local detail
    detail=$(grep -oiE "permission '?[a-z]+\.[a-zA-Z.]+'?|[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+ (permission|denied)" "$errfile" | head -n 3 | tr '\n' ' ' || true)
    die "permission denied for ${ACCOUNT:-the active account} on project $PROJECT while running:
   $cmd
   ${detail:+missing: $detail
   }The deploying account needs the roles listed under Prerequisites in docs/deploy.md (roles/owner is enough)."
  fi
  if grep -qiE 'SERVICE_DISABLED|has not been used in project|it is disabled|API .* not enabled' "$errfile"; then
    die "an API this step needs is not enabled (or was enabled moments ago: wait a minute and run deploy.sh again):
   $cmd"
  fi
  if grep -qiE 'Reauthentication|refreshing your current auth tokens|gcloud auth login|invalid_grant' "$errfile"; then
    die "gcloud credentials expired or missing: run 'gcloud auth login', then deploy.sh again (failed: $cmd)"
  fi
  die "command failed:
   $cmd
   (its error output is above)"
}

# run COMMAND... : print '+ COMMAND', run it unless dry run. Its output goes to stderr (stdout carries only the
# command lines); its stderr is also kept for explain_failure.
run() {
  print_cmd '+' "$@"
  [[ $DRY_RUN == 0 ]] || return 0
  local rc=0
  { "$@" 2>&1 1>&3 3>&- | tee "$WORK/stderr" >&2; } 3>&2 || rc=$?
  ((rc == 0)) || explain_failure "$WORK/stderr" "$@"
}

# run_retry COMMAND... : like run, but retries errors that go away once new IAM grants and service agents have
# propagated (minutes on a fresh project).
run_retry() {
  print_cmd '+' "$@"
  [[ $DRY_RUN == 0 ]] || return 0
  local attempt rc
  for attempt in 1 2 3 4 5; do
    rc=0
    { "$@" 2>&1 1>&3 3>&- | tee "$WORK/stderr" >&2; } 3>&2 || rc=$?
    ((rc != 0)) || return 0
    if ((attempt < 5)) && grep -qiE 'Eventarc Service Agent|propagat|try again|is not ready|service ?account.*(does not exist|not found)|does not exist.*service ?account|Invalid resource state' "$WORK/stderr"; then
      log "retrying in 60 s (attempt $attempt of 5 failed; IAM changes can take a few minutes to propagate)"
      sleep 60
    else
      break
    fi
  done
  explain_failure "$WORK/stderr" "$@"
}

# run_stdin DATA COMMAND... : run with DATA (never printed) on stdin.
run_stdin() {
  local data=$1
  shift
  print_cmd '+' "$@"
  [[ $DRY_RUN == 0 ]] || return 0
  local rc=0
  { printf '%s' "$data" | "$@" 2>&1 1>&3 3>&- | tee "$WORK/stderr" >&2; } 3>&2 || rc=$?
  ((rc == 0)) || explain_failure "$WORK/stderr" "$@"
}

is_not_found() { grep -qiE 'NOT_FOUND|not found|does not exist|HTTPError 404|Cannot find|was not found' "$1"; }

# exists COMMAND... : print '? COMMAND'; status 0 if the resource exists, 1 if not; other errors abort.
# In a dry run: absent when deploying, present when tearing down.
exists() {
  print_cmd '?' "$@"
  if [[ $DRY_RUN == 1 ]]; then
    [[ $MODE == teardown ]]
    return
  fi
  if "$@" >/dev/null 2>"$WORK/stderr"; then return 0; fi
  is_not_found "$WORK/stderr" && return 1
  cat "$WORK/stderr" >&2
  explain_failure "$WORK/stderr" "$@"
}

# query VAR DRY_RUN_VALUE COMMAND... : print '? COMMAND' and store its stdout in VAR ('' when the resource does
# not exist; DRY_RUN_VALUE in a dry run).
query() {
  local _query_var=$1 _query_placeholder=$2
  shift 2
  print_cmd '?' "$@"
  local _query_out=
  if [[ $DRY_RUN == 1 ]]; then
    _query_out=$_query_placeholder
  elif ! _query_out=$("$@" 2>"$WORK/stderr"); then
    if is_not_found "$WORK/stderr"; then
      _query_out=
    else
      cat "$WORK/stderr" >&2
      explain_failure "$WORK/stderr" "$@"
    fi
  fi
  printf -v "$_query_var" '%s' "$_query_out"
}

sha256_stdin() { node -e 'const h=require("crypto").createHash("sha256");process.stdin.on("data",(d)=>h.update(d)).on("end",()=>console.log(h.digest("hex")))'; }

sa_email() { printf '%s@%s.iam.gserviceaccount.com' "$1" "$PROJECT"; }

# env_flag NAME... : the --set-env-vars value, '|'-delimited (gcloud topic escaping) so values may contain commas.
env_flag() {
  local name ref value out=
  for name in "$@"; do
    ref="V_$name"
    value=${!ref-}
    [[ $value != *'|'* ]] || die "the value of $name contains '|', which deploy.sh does not support"
    out+="|$name=$value"
  done
  printf '^|^%s' "${out#|}"
}

in_list() { [[ " $2 " == *" $1 "* ]]; }

# ---------------------------------------------------------------------------------------------------------------
# Arguments and configuration.
# ---------------------------------------------------------------------------------------------------------------
parse_args() {
  while (($# > 0)); do
    local arg=$1 value='' has_value=0
    case $arg in
      --*=*)
        value=${arg#*=}
        arg=${arg%%=*}
        has_value=1
        ;;
    esac
    case $arg in
      -h | --help)
        usage
        exit 0
        ;;
      --dry-run | --teardown | --delete-data | --yes | --no-vpc | --print-rules | --print-audit-rules)
        ((has_value == 0)) || die "$arg takes no value"
        case $arg in
          --dry-run) DRY_RUN=1 ;;
          --teardown) MODE=teardown ;;
          --delete-data) DELETE_DATA=1 ;;
          --yes) ASSUME_YES=1 ;;
          --no-vpc) USE_VPC=0 ;;
          --print-rules) MODE=print-rules ;;
          --print-audit-rules) MODE=print-audit-rules ;;
        esac
        ;;
      --project | --region | --bucket | --upload-prefix | --quarantine-prefix | --firestore-location | \
        --allowed-group | --alert-ttl-days | --partitions | --kafka-cluster | --kafka-bootstrap | --kafka-sasl | \
        --kafka-username | --kafka-password-file | --dispatcher-instances | --console-group | --network | \
        --subnet | --subnet-range | --connector-range | --set | --console-url | --chat-webhook-url-file)
        if ((has_value == 0)); then
          (($# >= 2)) || die "$arg needs a value"
          value=$2
          shift
        fi
        case $arg in
          --project) PROJECT=$value ;;
          --region) REGION=$value ;;
          --bucket) BUCKET=$value ;;
          --upload-prefix) V_UPLOAD_PREFIX=$value ;;
          --quarantine-prefix) V_QUARANTINE_PREFIX=$value ;;
          --firestore-location) FIRESTORE_LOCATION=$value ;;
          --allowed-group) ALLOWED_GROUP=$value ;;
          --alert-ttl-days) ALERT_TTL_DAYS=$value ;;
          --partitions) PARTITIONS=$value ;;
          --kafka-cluster) KAFKA_CLUSTER=$value ;;
          --kafka-bootstrap) KAFKA_BOOTSTRAP=$value ;;
          --kafka-sasl) KAFKA_SASL=$value ;;
          --kafka-username) KAFKA_USERNAME=$value ;;
          --kafka-password-file) KAFKA_PASSWORD_FILE=$value ;;
          --dispatcher-instances) DISPATCHER_INSTANCES=$value ;;
          --console-group) CONSOLE_GROUP=$value ;;
          --console-url) V_CONSOLE_URL=$value ;;
          --chat-webhook-url-file) CHAT_WEBHOOK_URL_FILE=$value ;;
          --network) NETWORK=$value ;;
          --subnet) SUBNET=$value ;;
          --subnet-range) SUBNET_RANGE=$value ;;
          --connector-range) CONNECTOR_RANGE=$value ;;
          --set)
            local name=${value%%=*}
            [[ $value == *=* ]] || die "--set needs NAME=VALUE, got '$value'"
            in_list "$name" "$SETTABLE" || die "--set cannot change $name (settable:$SETTABLE)"
            printf -v "V_$name" '%s' "${value#*=}"
            ;;
        esac
        ;;
      *) die "unknown argument '$arg' (see ./deploy.sh --help)" ;;
    esac
    shift
  done
}

is_positive_int() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

# shellcheck disable=SC2034 # V_* are read indirectly by env_flag
configure() {
  [[ $REGION =~ ^[a-z]+-[a-z]+[0-9]+$ ]] || die "--region '$REGION' is not a region name (e.g. us-central1)"
  [[ $PROJECT =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] || die "--project '$PROJECT' is not a project ID"
  : "${BUCKET:=$PROJECT-$APP}"
  [[ $BUCKET =~ ^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$ ]] || die "--bucket '$BUCKET' is not a bucket name"
  : "${FIRESTORE_LOCATION:=$REGION}"
  : "${SUBNET:=$NETWORK}"
  is_positive_int "$PARTITIONS" || die "--partitions must be a positive integer"
  is_positive_int "$DISPATCHER_INSTANCES" || die "--dispatcher-instances must be a positive integer"
  ((DISPATCHER_INSTANCES <= PARTITIONS)) || warn "more dispatcher instances ($DISPATCHER_INSTANCES) than partitions ($PARTITIONS): the extra ones idle"
  [[ $ALERT_TTL_DAYS =~ ^[0-9]+$ ]] || die "--alert-ttl-days must be a whole number of days (0 = no TTL)"
  [[ -z $CONSOLE_GROUP || $CONSOLE_GROUP =~ ^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$ ]] ||
    die "--console-group '$CONSOLE_GROUP' is not a group's email address (e.g. anomaly-analysts@example.com)"

  # Object prefixes: empty or ending in '/'; quarantined objects must not trigger another ingestion.
  local prefix
  for prefix in "$V_UPLOAD_PREFIX" "$V_QUARANTINE_PREFIX"; do
    [[ -z $prefix || ($prefix == */ && $prefix != /*) ]] || die "object prefixes must be empty or end in '/' (got '$prefix')"
  done
  [[ -n $V_QUARANTINE_PREFIX ]] || die "the quarantine prefix cannot be empty"
  if [[ -z $V_UPLOAD_PREFIX ]]; then
    warn "empty upload prefix: every object in gs://$BUCKET triggers ingest, which must skip $V_QUARANTINE_PREFIX itself"
  elif [[ $V_QUARANTINE_PREFIX == "$V_UPLOAD_PREFIX"* ]]; then
    die "the quarantine prefix ($V_QUARANTINE_PREFIX) must not be inside the upload prefix ($V_UPLOAD_PREFIX)"
  fi

  # Kafka.
  if [[ -n $KAFKA_BOOTSTRAP ]]; then
    KAFKA_MODE=existing
    : "${KAFKA_SASL:=plain}"
    V_KAFKA_BROKERS=$KAFKA_BOOTSTRAP
  else
    KAFKA_MODE=managed
    : "${KAFKA_SASL:=oauthbearer}"
    [[ $KAFKA_SASL == oauthbearer ]] || die "the managed cluster takes --kafka-sasl=oauthbearer (SASL/PLAIN there needs a service-account key, which deploy.sh does not create)"
    ((USE_VPC == 1)) || die "--no-vpc needs --kafka-bootstrap (a managed cluster is reachable only from its VPC)"
    [[ $KAFKA_CLUSTER =~ ^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || die "--kafka-cluster '$KAFKA_CLUSTER' is not a valid cluster ID"
  fi
  case $KAFKA_SASL in
    oauthbearer | none) ;;
    plain)
      [[ -n $KAFKA_USERNAME ]] || die "--kafka-sasl=plain needs --kafka-username"
      ;;
    *) die "--kafka-sasl must be oauthbearer, plain or none" ;;
  esac
  V_KAFKA_SASL_MECHANISM=$KAFKA_SASL
  V_KAFKA_SSL=true
  KAFKA_PASSWORD=
  if [[ -n $KAFKA_PASSWORD_FILE ]]; then
    [[ -r $KAFKA_PASSWORD_FILE ]] || die "cannot read --kafka-password-file '$KAFKA_PASSWORD_FILE'"
    KAFKA_PASSWORD=$(<"$KAFKA_PASSWORD_FILE")
  elif [[ -n ${KAFKA_SASL_PASSWORD:-} ]]; then
    KAFKA_PASSWORD=$KAFKA_SASL_PASSWORD
  fi

  # Escalation: the threshold is checked by detect when it starts too; here it fails before anything is deployed.
  [[ $V_ESCALATION_SCORE =~ ^(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)$ ]] ||
    die "ESCALATION_SCORE must be a suspicion score from 0 to 100 (got '$V_ESCALATION_SCORE')"
  [[ $V_CONSOLE_URL =~ ^https?://[^#?]+$ ]] || die "--console-url must be an http(s) address without '?' or '#' (got '$V_CONSOLE_URL')"
  CHAT_WEBHOOK_URL_VALUE=
  if [[ -n $CHAT_WEBHOOK_URL_FILE ]]; then
    [[ -r $CHAT_WEBHOOK_URL_FILE ]] || die "cannot read --chat-webhook-url-file '$CHAT_WEBHOOK_URL_FILE'"
    CHAT_WEBHOOK_URL_VALUE=$(<"$CHAT_WEBHOOK_URL_FILE")
  elif [[ -n ${CHAT_WEBHOOK_URL:-} ]]; then
    CHAT_WEBHOOK_URL_VALUE=$CHAT_WEBHOOK_URL
  fi
  # Never printed: whoever has the URL can post to the channel.
  [[ -z $CHAT_WEBHOOK_URL_VALUE || $CHAT_WEBHOOK_URL_VALUE =~ ^https://[^[:space:]]+$ ]] ||
    die "the chat webhook URL must be an https:// URL (the file's one line, without spaces)"
  ESCALATE_SECRET_FLAGS=("--set-secrets=CHAT_WEBHOOK_URL=$CHAT_WEBHOOK_SECRET:latest")

  V_GOOGLE_CLOUD_PROJECT=$PROJECT
  V_UPLOAD_BUCKET=$BUCKET
  ANOMALIES_DEAD_LETTER_TOPIC="$V_ANOMALIES_TOPIC-dead-letter"
  ANOMALIES_DEAD_LETTER_SUBSCRIPTION="$ANOMALIES_DEAD_LETTER_TOPIC-sub"
  V_ANOMALIES_DEAD_LETTER_SUBSCRIPTION=$ANOMALIES_DEAD_LETTER_SUBSCRIPTION

  # Mode-dependent values and variables (the registry marks the SASL ones deployed with --kafka-sasl=plain only).
  KAFKA_SECRET_FLAGS=()
  if [[ $KAFKA_SASL == plain ]]; then
    V_KAFKA_SASL_USERNAME=$KAFKA_USERNAME
    INGEST_ENV+=(KAFKA_SASL_USERNAME)
    DISPATCHER_ENV+=(KAFKA_SASL_USERNAME)
    CONSOLE_ENV+=(KAFKA_SASL_USERNAME)
    KAFKA_SECRET_FLAGS=("--set-secrets=KAFKA_SASL_PASSWORD=$KAFKA_PASSWORD_SECRET:latest")
  fi
  V_ALERT_TTL_DAYS=$ALERT_TTL_DAYS
}

# ---------------------------------------------------------------------------------------------------------------
# Preflight: tools, login, project, command availability.
# ---------------------------------------------------------------------------------------------------------------
preflight() {
  command -v node >/dev/null 2>&1 || die "node not found on PATH: deploy.sh needs Node.js 20+ (JSON and hashing)"
  export CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1 \
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true CLOUDSDK_SURVEY_DISABLE_PROMPTS=1
  if [[ -z $PROJECT ]]; then
    PROJECT=$(gcloud config get-value project 2>/dev/null || true)
    [[ -n $PROJECT ]] ||
      die "no project: pass --project=PROJECT_ID (or set DEPLOY_PROJECT, or run 'gcloud config set project PROJECT_ID')"
  fi
  configure

  ACCOUNT=
  if [[ $DRY_RUN == 0 ]]; then
    command -v curl >/dev/null 2>&1 || die "curl not found on PATH (needed to publish firestore.rules)"
    ACCOUNT=$(gcloud auth list --filter=status:ACTIVE --format='value(account)' 2>/dev/null | head -n 1 || true)
    [[ -n $ACCOUNT ]] || die "no active gcloud account: run 'gcloud auth login' first"
    log "account $ACCOUNT, project $PROJECT, region $REGION"
  fi

  # Cloud Run worker pools are GA in recent gcloud releases and beta before that: use whichever this one has.
  if gcloud run worker-pools deploy --help >/dev/null 2>&1; then
    WORKER_POOLS=(gcloud run worker-pools)
  elif gcloud beta run worker-pools deploy --help >/dev/null 2>&1; then
    WORKER_POOLS=(gcloud beta run worker-pools)
  else
    die "this gcloud has no 'run worker-pools' command: run 'gcloud components update' (or 'gcloud components install beta')"
  fi

  query PROJECT_NUMBER PROJECT_NUMBER gcloud projects describe "$PROJECT" --format='value(projectNumber)'
  [[ -n $PROJECT_NUMBER ]] || die "project $PROJECT not found, or ${ACCOUNT:-the active account} cannot see it"
}

# ---------------------------------------------------------------------------------------------------------------
# IAM: grants are checked against the current policy first, so a second run writes nothing.
# ---------------------------------------------------------------------------------------------------------------
# policy_cmd KIND RESOURCE VERB : sets POLICY_CMD to the gcloud words for KIND's VERB-iam-policy[-binding].
policy_cmd() {
  local kind=$1 resource=$2 verb=$3
  case $kind in
    project) POLICY_CMD=(gcloud projects "$verb" "$resource") ;;
    bucket) POLICY_CMD=(gcloud storage buckets "$verb" "gs://$resource" "--project=$PROJECT") ;;
    topic) POLICY_CMD=(gcloud pubsub topics "$verb" "$resource" "--project=$PROJECT") ;;
    subscription) POLICY_CMD=(gcloud pubsub subscriptions "$verb" "$resource" "--project=$PROJECT") ;;
    service) POLICY_CMD=(gcloud run services "$verb" "$resource" "--region=$REGION" "--project=$PROJECT") ;;
    repository) POLICY_CMD=(gcloud artifacts repositories "$verb" "$resource" "--location=$REGION" "--project=$PROJECT") ;;
    secret) POLICY_CMD=(gcloud secrets "$verb" "$resource" "--project=$PROJECT") ;;
    *) die "internal: unknown policy kind $kind" ;;
  esac
}

# load_policy KIND RESOURCE : sets POLICY_FILE to a file of 'role,member,condition-title' lines of the resource's
# current policy, queried once and kept up to date by grant.
load_policy() {
  POLICY_FILE="$WORK/policy.$(printf '%s' "$1.$2" | tr -c 'A-Za-z0-9._-' '_')"
  if [[ ! -f $POLICY_FILE ]]; then
    local lines
    policy_cmd "$1" "$2" get-iam-policy
    query lines '' "${POLICY_CMD[@]}" '--flatten=bindings[].members' \
      '--format=csv[no-heading](bindings.role,bindings.members,bindings.condition.title)'
    printf '%s\n' "$lines" >"$POLICY_FILE"
  fi
}

# grant KIND RESOURCE MEMBER ROLE [CONDITION_TITLE CONDITION_EXPRESSION]
grant() {
  local kind=$1 resource=$2 member=$3 role=$4 title=${5:-} expression=${6:-}
  load_policy "$kind" "$resource"
  if grep -Fxq "$role,$member,$title" "$POLICY_FILE"; then return 0; fi
  local policy_file=$POLICY_FILE
  [[ $member != "serviceAccount:$PUBSUB_AGENT" ]] || ensure_pubsub_agent
  policy_cmd "$kind" "$resource" add-iam-policy-binding
  local condition=()
  case $kind in
    project | bucket | service | repository | secret)
      if [[ -n $title ]]; then
        condition=("--condition=expression=$expression,title=$title")
      else
        condition=(--condition=None)
      fi
      ;;
  esac
  run_retry "${POLICY_CMD[@]}" "--member=$member" "--role=$role" ${condition[@]+"${condition[@]}"}
  printf '%s\n' "$role,$member,$title" >>"$policy_file"
}

# only_invoker SERVICE [MEMBER] : MEMBER gets roles/run.invoker on the service and nobody else keeps it (with no
# MEMBER, nobody).
only_invoker() {
  local service=$1 member=${2:-} line
  [[ -z $member ]] || grant service "$service" "$member" roles/run.invoker
  load_policy service "$service"
  cp "$POLICY_FILE" "$WORK/invokers"
  while IFS= read -r line <&4; do
    [[ $line == roles/run.invoker,* ]] || continue
    local other=${line#roles/run.invoker,}
    other=${other%%,*}
    [[ $other != "$member" && -n $other ]] || continue
    warn "removing roles/run.invoker of $other from $service (only ${member:-nobody} may invoke it)"
    policy_cmd service "$service" remove-iam-policy-binding
    run "${POLICY_CMD[@]}" "--member=$other" --role=roles/run.invoker --all
  done 4<"$WORK/invokers"
}

# drop_unconditioned_grant KIND RESOURCE MEMBER ROLE : removes MEMBER's grant of ROLE that has no condition, if any
# (its conditioned grants stay).
drop_unconditioned_grant() {
  local kind=$1 resource=$2 member=$3 role=$4
  load_policy "$kind" "$resource"
  grep -Fxq "$role,$member," "$POLICY_FILE" || return 0
  warn "removing $member's unconditioned $role on $resource (it is granted per database now)"
  policy_cmd "$kind" "$resource" remove-iam-policy-binding
  run_retry "${POLICY_CMD[@]}" "--member=$member" "--role=$role" --condition=None
  grep -Fxv "$role,$member," "$POLICY_FILE" >"$POLICY_FILE.new" || true
  mv "$POLICY_FILE.new" "$POLICY_FILE"
}

# The Pub/Sub service agent appears with the API's first use; make sure it exists before granting it roles.
PUBSUB_AGENT_ENSURED=0
ensure_pubsub_agent() {
  ((PUBSUB_AGENT_ENSURED == 0)) || return 0
  PUBSUB_AGENT_ENSURED=1
  if [[ ${WORKER_POOLS[1]} == beta ]] || gcloud beta services identity create --help >/dev/null 2>&1; then
    run gcloud beta services identity create --service=pubsub.googleapis.com "--project=$PROJECT"
  else
    warn "no 'gcloud beta' component: cannot make sure the Pub/Sub service agent exists (it usually does)"
  fi
}

sa() { printf 'serviceAccount:%s' "$(sa_email "$1")"; }

# The grants that do not depend on a deployed function: KIND|RESOURCE|MEMBER|ROLE|CONDITION_TITLE|EXPRESSION.
base_grants() {
  local storage_agent=$1
  local quarantine="resource.name.startsWith(\"projects/_/buckets/$BUCKET/objects/$V_QUARANTINE_PREFIX\")"
  local sources="resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-$PROJECT_NUMBER-$REGION\")"
  sources+=" || resource.name.startsWith(\"projects/_/buckets/gcf-v2-uploads-$PROJECT_NUMBER\")"
  sources+=" || resource.name.startsWith(\"projects/_/buckets/${PROJECT}_cloudbuild\")"
  # Firestore roles per database (IAM conditions on the database's resource name): the pipeline's identities and
  # the console on the default database, and only the console on the audit database.
  local default_db="resource.name == \"projects/$PROJECT/databases/$FIRESTORE_DATABASE\""
  local audit_db="resource.name == \"projects/$PROJECT/databases/$V_CONSOLE_AUDIT_DATABASE\""
  cat <<EOF
project|$PROJECT|$(sa "$SA_INGEST")|roles/datastore.user|default-database-only|$default_db
project|$PROJECT|$(sa "$SA_DETECT")|roles/datastore.user|default-database-only|$default_db
project|$PROJECT|$(sa "$SA_NOTIFY")|roles/datastore.user|default-database-only|$default_db
project|$PROJECT|$(sa "$SA_TRIGGER")|roles/eventarc.eventReceiver||
project|$PROJECT|$(sa "$SA_BUILDER")|roles/logging.logWriter||
project|$PROJECT|$(sa "$SA_BUILDER")|roles/storage.objectAdmin|build-sources-only|$sources
project|$PROJECT|serviceAccount:$storage_agent|roles/pubsub.publisher||
bucket|$BUCKET|$(sa "$SA_INGEST")|roles/storage.objectViewer||
bucket|$BUCKET|$(sa "$SA_INGEST")|roles/storage.objectUser|quarantine-prefix-only|$quarantine
topic|$V_ANOMALIES_TOPIC|$(sa "$SA_DETECT")|roles/pubsub.publisher||
topic|$V_ESCALATIONS_TOPIC|$(sa "$SA_DETECT")|roles/pubsub.publisher||
project|$PROJECT|$(sa "$SA_ESCALATE")|roles/datastore.user|default-database-only|$default_db
secret|$CHAT_WEBHOOK_SECRET|$(sa "$SA_ESCALATE")|roles/secretmanager.secretAccessor||
topic|$ANOMALIES_DEAD_LETTER_TOPIC|serviceAccount:$PUBSUB_AGENT|roles/pubsub.publisher||
repository|$REPOSITORY|$(sa "$SA_BUILDER")|roles/artifactregistry.writer||
project|$PROJECT|$(sa "$SA_CONSOLE")|roles/datastore.user|default-database-only|$default_db
project|$PROJECT|$(sa "$SA_CONSOLE")|roles/datastore.user|audit-database-only|$audit_db
bucket|$BUCKET|$(sa "$SA_CONSOLE")|roles/storage.objectViewer|quarantine-prefix-only|$quarantine
subscription|$ANOMALIES_DEAD_LETTER_SUBSCRIPTION|$(sa "$SA_CONSOLE")|roles/pubsub.subscriber||
EOF
  # The console: IAM cannot scope Firestore to collections or fields, so datastore.user lets it read and write
  # the default database (its server code writes nothing there) and the audit database, which it alone may write:
  # triage, its history and the triage feed (docs/records.md). The bucket grant is read-only and confined to
  # the set-aside rows (a condition on object names allows get, not list: the console downloads the object an
  # ingestion report names). Kafka, for the dispatcher group's lag on its health page (committed and end offsets
  # through the admin API; it must never join the group): the same client role or secret as the dispatcher. The
  # cluster has no Kafka ACLs, so that role would also let it produce and consume; ACLs could narrow it to
  # describing the group and topics. Pub/Sub, for notify's dead letters on the health page: it counts them by
  # pulling and releasing them at once (nothing but a subscriber can see a subscription's messages).
  if [[ $KAFKA_MODE == managed ]]; then
    printf 'project|%s|%s|roles/managedkafka.client||\n' "$PROJECT" "$(sa "$SA_INGEST")" "$PROJECT" "$(sa "$SA_DISPATCHER")" \
      "$PROJECT" "$(sa "$SA_CONSOLE")"
  fi
  if [[ $KAFKA_SASL == plain ]]; then
    printf 'secret|%s|%s|roles/secretmanager.secretAccessor||\n' \
      "$KAFKA_PASSWORD_SECRET" "$(sa "$SA_INGEST")" "$KAFKA_PASSWORD_SECRET" "$(sa "$SA_DISPATCHER")" \
      "$KAFKA_PASSWORD_SECRET" "$(sa "$SA_CONSOLE")"
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Firestore: database, composite indexes (from firestore.indexes.json), TTL, security rules.
# ---------------------------------------------------------------------------------------------------------------
# render_rules [FILE] : FILE (firestore.rules, or firestore.audit.rules for the audit database) with the allowed group.
render_rules() {
  local marker='// deploy.sh --allowed-group' file=${1:-firestore.rules}
  [[ $ALLOWED_GROUP =~ ^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$ ]] ||
    die "--allowed-group '$ALLOWED_GROUP' must match [A-Za-z0-9][A-Za-z0-9._@+-]* (at most 128 characters)"
  [[ $(grep -c -F "$marker" "$file") == 1 ]] || die "$file must contain exactly one '$marker' line"
  sed "s|return '[^']*'; $marker|return '$ALLOWED_GROUP'; $marker|" "$file"
}

# Prints, for each index of firestore.indexes.json missing from the JSON list in $1, a line
# 'collectionGroup<TAB>queryScope<TAB>--field-config=...<TAB>...'.
missing_indexes() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const fs = require("fs");
    const wanted = JSON.parse(fs.readFileSync("firestore.indexes.json", "utf8")).indexes;
    const existing = JSON.parse(fs.readFileSync(process.argv[1], "utf8") || "[]");
    const fieldKey = (f) => `${f.fieldPath}:${f.order || ""}:${f.arrayConfig || ""}`.toUpperCase();
    const key = (group, scope, fields) =>
      [group, scope || "COLLECTION", ...fields.filter((f) => f.fieldPath !== "__name__").map(fieldKey)].join("|");
    const have = new Set(existing.map((i) => key(i.name.split("/collectionGroups/")[1].split("/")[0], i.queryScope, i.fields)));
    for (const index of wanted) {
      if (have.has(key(index.collectionGroup, index.queryScope, index.fields))) continue;
      const configs = index.fields.map((f) => "--field-config=field-path=" + f.fieldPath +
        (f.order ? ",order=" + f.order.toLowerCase() : "") + (f.arrayConfig ? ",array-config=" + f.arrayConfig.toLowerCase() : ""));
      console.log([index.collectionGroup, (index.queryScope || "COLLECTION").toLowerCase().replace("_", "-"), ...configs].join("\t"));
    }' "$1"
}

ensure_firestore() {
  local db_type
  query db_type '' gcloud firestore databases describe "--database=$FIRESTORE_DATABASE" "--project=$PROJECT" \
    '--format=value(type)'
  case $db_type in
    '') run gcloud firestore databases create "--database=$FIRESTORE_DATABASE" "--location=$FIRESTORE_LOCATION" \
      --type=firestore-native "--project=$PROJECT" ;;
    FIRESTORE_NATIVE) ;;
    *) die "the project's $FIRESTORE_DATABASE Firestore database is in $db_type mode; the pipeline needs Native mode" ;;
  esac

  local existing
  query existing '[]' gcloud firestore indexes composite list "--database=$FIRESTORE_DATABASE" "--project=$PROJECT" \
    --format=json
  printf '%s' "$existing" >"$WORK/indexes.json"
  local line parts
  while IFS= read -r line <&4; do
    [[ -n $line ]] || continue
    IFS=$'\t' read -r -a parts <<<"$line"
    run gcloud firestore indexes composite create "--collection-group=${parts[0]}" "--query-scope=${parts[1]}" \
      "${parts[@]:2}" "--database=$FIRESTORE_DATABASE" --async "--project=$PROJECT"
  done 4< <(missing_indexes "$WORK/indexes.json")

  # TTL: notify writes expireAt (a Timestamp: write time + ALERT_TTL_DAYS days) when ALERT_TTL_DAYS > 0.
  local ttl_state
  query ttl_state '' gcloud firestore indexes fields describe "$TTL_FIELD" "--collection-group=$V_ALERTS_COLLECTION" \
    "--database=$FIRESTORE_DATABASE" "--project=$PROJECT" '--format=value(ttlConfig.state)'
  if ((ALERT_TTL_DAYS > 0)); then
    if [[ -z $ttl_state ]]; then
      # A TTL field needs no index; exempting it avoids a hotspot on a monotonically increasing value.
      run gcloud firestore indexes fields update "$TTL_FIELD" "--collection-group=$V_ALERTS_COLLECTION" \
        --disable-indexes "--database=$FIRESTORE_DATABASE" "--project=$PROJECT"
      run gcloud firestore fields ttls update "$TTL_FIELD" "--collection-group=$V_ALERTS_COLLECTION" --enable-ttl \
        "--database=$FIRESTORE_DATABASE" "--project=$PROJECT"
    fi
  elif [[ -n $ttl_state ]]; then
    run gcloud firestore fields ttls update "$TTL_FIELD" "--collection-group=$V_ALERTS_COLLECTION" --disable-ttl \
      "--database=$FIRESTORE_DATABASE" "--project=$PROJECT"
  fi
  # The alert feed's entries always carry expireAt (seven days on: they are the receipts of notify's commits, and
  # outlive Pub/Sub's retention of a message), whatever the alerts' TTL.
  local feed_ttl_state
  query feed_ttl_state '' gcloud firestore indexes fields describe "$TTL_FIELD" \
    "--collection-group=$V_ALERTS_COLLECTION-feed" "--database=$FIRESTORE_DATABASE" "--project=$PROJECT" \
    '--format=value(ttlConfig.state)'
  if [[ -z $feed_ttl_state ]]; then
    run gcloud firestore indexes fields update "$TTL_FIELD" "--collection-group=$V_ALERTS_COLLECTION-feed" \
      --disable-indexes "--database=$FIRESTORE_DATABASE" "--project=$PROJECT"
    run gcloud firestore fields ttls update "$TTL_FIELD" "--collection-group=$V_ALERTS_COLLECTION-feed" --enable-ttl \
      "--database=$FIRESTORE_DATABASE" "--project=$PROJECT"
  fi

  deploy_rules
  ensure_audit_database
}

# The audit database (docs/records.md): the console's triage and its history, apart from the pipeline's database
# so that IAM can let only the console's identity write it (base_grants: every other identity's Firestore role is
# conditioned on the default database). Deleting the database itself takes datastore.databases.delete, which no
# identity of the deployment holds; teardown deletes it with --delete-data only, as it does the default database. Its rules (firestore.audit.rules) keep the history append-only for client SDKs.
ensure_audit_database() {
  local db_type
  query db_type '' gcloud firestore databases describe "--database=$V_CONSOLE_AUDIT_DATABASE" "--project=$PROJECT" \
    '--format=value(type)'
  case $db_type in
    '') run gcloud firestore databases create "--database=$V_CONSOLE_AUDIT_DATABASE" \
      "--location=$FIRESTORE_LOCATION" --type=firestore-native "--project=$PROJECT" ;;
    FIRESTORE_NATIVE) ;;
    *) die "the $V_CONSOLE_AUDIT_DATABASE Firestore database is in $db_type mode; the console needs Native mode" ;;
  esac
  deploy_rules firestore.audit.rules "$V_CONSOLE_AUDIT_DATABASE"
}

# http KIND METHOD URL [BODY_FILE] : Firebase Rules API call; prints it (token hidden), runs it unless dry run,
# leaves the body in $WORK/http.out and the status in HTTP_STATUS.
http() {
  local kind=$1 method=$2 url=$3 body=${4:-}
  local shown=(curl -sS -X "$method" -H 'Authorization: Bearer <token>' -H "X-Goog-User-Project: $PROJECT")
  [[ -z $body ]] || shown+=(-H 'Content-Type: application/json' --data-binary "@${body##*/}")
  print_cmd "$kind" "${shown[@]}" "$url"
  HTTP_STATUS=000
  [[ $DRY_RUN == 0 ]] || return 0
  local args=(-sS -X "$method" -H "Authorization: Bearer $TOKEN" -H "X-Goog-User-Project: $PROJECT"
    -o "$WORK/http.out" -w '%{http_code}')
  [[ -z $body ]] || args+=(-H 'Content-Type: application/json' --data-binary "@$body")
  HTTP_STATUS=$(curl "${args[@]}" "$url") || die "cannot reach $url"
}

json_field() { node -e 'const v=process.argv[2].split(".").reduce((o,k)=>o==null?o:o[k],JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")));console.log(v??"")' "$1" "$2"; }

# deploy_rules [RULES_FILE DATABASE] : publishes the rules (firestore.rules for the default database, or the file
# given for the named database given), unless the release already serves the same text.
deploy_rules() {
  local file=${1:-firestore.rules} database=${2:-}
  render_rules "$file" >"$WORK/firestore.rules"
  # The default database's release is cloud.firestore; a named database's, cloud.firestore/DATABASE.
  local release_name="projects/$PROJECT/releases/cloud.firestore${database:+/$database}" release_exists=0
  query TOKEN '<token>' gcloud auth print-access-token
  http '?' GET "$RULES_API/$release_name"
  if [[ $HTTP_STATUS == 200 ]]; then
    release_exists=1
    local ruleset
    ruleset=$(json_field "$WORK/http.out" rulesetName)
    http '?' GET "$RULES_API/$ruleset"
    [[ $HTTP_STATUS == 200 ]] || die "cannot read the current Firestore ruleset $ruleset: $(cat "$WORK/http.out")"
    json_field "$WORK/http.out" source.files.0.content >"$WORK/current.rules"
    if [[ "$(cat "$WORK/current.rules")" == "$(cat "$WORK/firestore.rules")" ]]; then
      log "Firestore rules unchanged${database:+ ($database)}"
      return 0
    fi
  elif [[ $DRY_RUN == 0 && $HTTP_STATUS != 404 ]]; then
    die "Firebase Rules API answered $HTTP_STATUS: $(cat "$WORK/http.out")"
  fi
  node -e 'const fs=require("fs");process.stdout.write(JSON.stringify({source:{files:[{name:"firestore.rules",content:fs.readFileSync(process.argv[1],"utf8")}]}}))' \
    "$WORK/firestore.rules" >"$WORK/ruleset.json"
  http '+' POST "$RULES_API/projects/$PROJECT/rulesets" "$WORK/ruleset.json"
  local new_ruleset="projects/$PROJECT/rulesets/NEW_RULESET_ID"
  if [[ $DRY_RUN == 0 ]]; then
    [[ $HTTP_STATUS == 200 ]] || die "creating the Firestore ruleset failed ($HTTP_STATUS): $(cat "$WORK/http.out")"
    new_ruleset=$(json_field "$WORK/http.out" name)
  fi
  if ((release_exists)); then
    printf '{"release":{"name":"%s","rulesetName":"%s"}}' "$release_name" "$new_ruleset" >"$WORK/release.json"
    http '+' PATCH "$RULES_API/$release_name" "$WORK/release.json"
  else
    printf '{"name":"%s","rulesetName":"%s"}' "$release_name" "$new_ruleset" >"$WORK/release.json"
    http '+' POST "$RULES_API/projects/$PROJECT/releases" "$WORK/release.json"
  fi
  [[ $DRY_RUN == 1 || $HTTP_STATUS == 200 ]] || die "releasing the Firestore rules failed ($HTTP_STATUS): $(cat "$WORK/http.out")"
}

# ---------------------------------------------------------------------------------------------------------------
# Kafka.
# ---------------------------------------------------------------------------------------------------------------
# ensure_kafka_topic TOPIC PARTITIONS : the topic with at least PARTITIONS partitions and KAFKA_TOPIC_CONFIGS
# (an existing topic without them, say one made before or changed by hand, is corrected).
ensure_kafka_topic() {
  local topic=$1 partitions=$2 described current configs
  query described '' gcloud managed-kafka topics describe "$topic" "--cluster=$KAFKA_CLUSTER" "--location=$REGION" \
    "--project=$PROJECT" '--format=value(partitionCount,configs)'
  current=${described%%$'\t'*}
  configs=
  [[ $described != *$'\t'* ]] || configs=${described#*$'\t'}
  if [[ -z $current ]]; then
    run gcloud managed-kafka topics create "$topic" "--cluster=$KAFKA_CLUSTER" "--location=$REGION" \
      "--partitions=$partitions" "--replication-factor=$KAFKA_REPLICATION_FACTOR" "--configs=$KAFKA_TOPIC_CONFIGS" \
      "--project=$PROJECT"
    return 0
  fi
  # gcloud prints a map as key=value;key=value.
  if [[ ";$configs;" != *";$KAFKA_TOPIC_CONFIGS;"* ]]; then
    run gcloud managed-kafka topics update "$topic" "--cluster=$KAFKA_CLUSTER" "--location=$REGION" \
      "--configs=$KAFKA_TOPIC_CONFIGS" "--project=$PROJECT"
  fi
  if ((current < partitions)); then
    run gcloud managed-kafka topics update "$topic" "--cluster=$KAFKA_CLUSTER" "--location=$REGION" \
      "--partitions=$partitions" "--project=$PROJECT"
  elif ((current > partitions)); then
    warn "Kafka topic $topic has $current partitions, more than $partitions; Kafka cannot reduce them, keeping $current"
  fi
}

# shellcheck disable=SC2034 # V_* are read indirectly by env_flag
ensure_kafka() {
  if [[ $KAFKA_MODE == managed ]]; then
    if ! exists gcloud managed-kafka clusters describe "$KAFKA_CLUSTER" "--location=$REGION" "--project=$PROJECT"; then
      log "creating the Kafka cluster: this takes 20 to 40 minutes"
      run gcloud managed-kafka clusters create "$KAFKA_CLUSTER" "--location=$REGION" "--cpu=$KAFKA_CLUSTER_CPU" \
        "--memory=$KAFKA_CLUSTER_MEMORY" "--subnets=projects/$PROJECT/regions/$REGION/subnetworks/$SUBNET" \
        "--labels=app=$APP" "--project=$PROJECT"
    fi
    local bootstrap
    query bootstrap '' gcloud managed-kafka clusters describe "$KAFKA_CLUSTER" "--location=$REGION" \
      "--project=$PROJECT" '--format=value(bootstrapAddress)'
    # Older API versions have no bootstrapAddress field; the legacy DNS name is then the address.
    [[ -n $bootstrap ]] || bootstrap="bootstrap.$KAFKA_CLUSTER.$REGION.managedkafka.$PROJECT.cloud.goog"
    V_KAFKA_BROKERS="${bootstrap%:*}:9092"
    ensure_kafka_topic "$V_KAFKA_TOPIC" "$PARTITIONS"
    ensure_kafka_topic "$V_KAFKA_DEAD_LETTER_TOPIC" 1
  else
    log "using the existing Kafka cluster at $KAFKA_BOOTSTRAP (TLS, SASL $KAFKA_SASL); its topics $V_KAFKA_TOPIC" \
      "($PARTITIONS partitions) and $V_KAFKA_DEAD_LETTER_TOPIC must exist, with $KAFKA_TOPIC_CONFIGS"
    [[ $KAFKA_SASL != oauthbearer ]] ||
      warn "oauthbearer on an existing cluster: grant roles/managedkafka.client to $(sa_email "$SA_INGEST") and $(sa_email "$SA_DISPATCHER") in the cluster's project"
  fi
  if [[ $KAFKA_SASL == plain ]]; then
    if exists gcloud secrets describe "$KAFKA_PASSWORD_SECRET" "--project=$PROJECT"; then
      if [[ -n $KAFKA_PASSWORD ]]; then
        local current
        query current '' gcloud secrets versions access latest "--secret=$KAFKA_PASSWORD_SECRET" "--project=$PROJECT"
        [[ $current == "$KAFKA_PASSWORD" ]] ||
          run_stdin "$KAFKA_PASSWORD" gcloud secrets versions add "$KAFKA_PASSWORD_SECRET" --data-file=- "--project=$PROJECT"
      fi
    else
      [[ -n $KAFKA_PASSWORD || $DRY_RUN == 1 ]] ||
        die "the SASL/PLAIN password: pass --kafka-password-file=FILE or set KAFKA_SASL_PASSWORD"
      run_stdin "$KAFKA_PASSWORD" gcloud secrets create "$KAFKA_PASSWORD_SECRET" --replication-policy=automatic \
        --data-file=- "--labels=app=$APP" "--project=$PROJECT"
    fi
  fi
}

# The chat webhook's URL, in Secret Manager: created from --chat-webhook-url-file (or CHAT_WEBHOOK_URL) the first
# time, given a new version when a different URL is passed, kept as it is when none is; without one and without
# the secret, escalate only logs. Never printed.
ensure_chat_webhook_secret() {
  if exists gcloud secrets describe "$CHAT_WEBHOOK_SECRET" "--project=$PROJECT"; then
    if [[ -n $CHAT_WEBHOOK_URL_VALUE ]]; then
      local current
      query current '' gcloud secrets versions access latest "--secret=$CHAT_WEBHOOK_SECRET" "--project=$PROJECT"
      [[ $current == "$CHAT_WEBHOOK_URL_VALUE" ]] ||
        run_stdin "$CHAT_WEBHOOK_URL_VALUE" gcloud secrets versions add "$CHAT_WEBHOOK_SECRET" --data-file=- "--project=$PROJECT"
    fi
  elif [[ -n $CHAT_WEBHOOK_URL_VALUE || $DRY_RUN == 1 ]]; then
    run_stdin "$CHAT_WEBHOOK_URL_VALUE" gcloud secrets create "$CHAT_WEBHOOK_SECRET" --replication-policy=automatic \
      --data-file=- "--labels=app=$APP" "--project=$PROJECT"
  else
    # No chat yet: escalate is deployed without a webhook and only logs what it would post; a later deploy with
    # --chat-webhook-url-file creates the secret and points escalate at it.
    log "no chat webhook given (--chat-webhook-url-file or CHAT_WEBHOOK_URL): escalate will only log escalations"
    ESCALATE_SECRET_FLAGS=()
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Functions and the worker pool (redeployed only when their sources or settings change).
# ---------------------------------------------------------------------------------------------------------------
compute_source_hash() {
  local files
  files=$(gcloud meta list-files-for-upload . | LC_ALL=C sort) || die "gcloud meta list-files-for-upload failed"
  [[ -n $files ]] || die "no source files to upload"
  SOURCE_HASH=$(printf '%s\n' "$files" | node -e '
    const fs = require("fs"), h = require("crypto").createHash("sha256");
    for (const f of fs.readFileSync(0, "utf8").split("\n").filter(Boolean)) {
      h.update(f + "\0"); h.update(fs.readFileSync(f)); h.update("\0");
    }
    console.log(h.digest("hex"));')
}

# deploy_hash WORD... : a label value identifying sources + settings.
deploy_hash() { { printf '%s\n' "$SOURCE_HASH"; printf '%s\0' "$@"; } | sha256_stdin | cut -c1-32; }

# deploy_function NAME FLAG... : gcloud functions deploy, unless the deployed one carries the same deploy_hash.
deploy_function() {
  local name=$1
  shift
  local cmd=(gcloud functions deploy "$name" --gen2 "--region=$REGION" "--project=$PROJECT" "--runtime=$FUNCTIONS_RUNTIME"
    --source=. "--entry-point=$name" "--build-service-account=projects/$PROJECT/serviceAccounts/$(sa_email "$SA_BUILDER")"
    "--docker-repository=projects/$PROJECT/locations/$REGION/repositories/$REPOSITORY" "$@")
  local hash current
  hash=$(deploy_hash "${cmd[@]}")
  query current '' gcloud functions describe "$name" "--region=$REGION" "--project=$PROJECT" \
    '--format=value(labels.deploy_hash)'
  if [[ $current == "$hash" ]]; then
    log "function $name is up to date"
    return 0
  fi
  run_retry "${cmd[@]}" "--update-labels=app=$APP,deploy_hash=$hash"
}

deploy_functions() {
  local vpc=()
  if ((USE_VPC == 1)); then
    vpc=("--vpc-connector=projects/$PROJECT/locations/$REGION/connectors/$CONNECTOR" "--egress-settings=$INGEST_VPC_EGRESS")
  fi
  local ingest_retry=()
  [[ $INGEST_RETRY != true ]] || ingest_retry=(--retry)

  # With a VPC the dispatcher reaches detect through it (all-traffic egress + Private Google Access), so detect
  # accepts internal traffic only; without one it has to accept requests from the internet (IAM still applies).
  local detect_ingress=all
  ((USE_VPC == 0)) || detect_ingress=internal-only
  deploy_function detect --trigger-http --no-allow-unauthenticated "--ingress-settings=$detect_ingress" \
    "--service-account=$(sa_email "$SA_DETECT")" "--memory=$DETECT_MEMORY" "--timeout=$DETECT_TIMEOUT" \
    "--max-instances=$DETECT_MAX_INSTANCES" "--set-env-vars=$(env_flag "${DETECT_ENV[@]}")"
  only_invoker detect "$(sa "$SA_DISPATCHER")"

  deploy_function notify "--trigger-topic=$V_ANOMALIES_TOPIC" --retry "--trigger-service-account=$(sa_email "$SA_TRIGGER")" \
    --no-allow-unauthenticated --ingress-settings=internal-only "--service-account=$(sa_email "$SA_NOTIFY")" \
    "--memory=$NOTIFY_MEMORY" "--timeout=$NOTIFY_TIMEOUT" "--max-instances=$NOTIFY_MAX_INSTANCES" \
    "--set-env-vars=$(env_flag "${NOTIFY_ENV[@]}")"
  only_invoker notify "$(sa "$SA_TRIGGER")"
  ensure_notify_dead_letter

  deploy_function escalate "--trigger-topic=$V_ESCALATIONS_TOPIC" --retry \
    "--trigger-service-account=$(sa_email "$SA_TRIGGER")" --no-allow-unauthenticated --ingress-settings=internal-only \
    "--service-account=$(sa_email "$SA_ESCALATE")" "--memory=$ESCALATE_MEMORY" "--timeout=$ESCALATE_TIMEOUT" \
    "--max-instances=$ESCALATE_MAX_INSTANCES" "--set-env-vars=$(env_flag "${ESCALATE_ENV[@]}")" \
    "${ESCALATE_SECRET_FLAGS[@]}"
  only_invoker escalate "$(sa "$SA_TRIGGER")"

  deploy_function ingest --trigger-event-filters=type=google.cloud.storage.object.v1.finalized \
    "--trigger-event-filters=bucket=$BUCKET" "--trigger-location=$TRIGGER_LOCATION" ${ingest_retry[@]+"${ingest_retry[@]}"} \
    "--trigger-service-account=$(sa_email "$SA_TRIGGER")" --no-allow-unauthenticated --ingress-settings=internal-only \
    "--service-account=$(sa_email "$SA_INGEST")" "--memory=$INGEST_MEMORY" "--timeout=$INGEST_TIMEOUT" \
    --concurrency=1 "--max-instances=$INGEST_MAX_INSTANCES" ${vpc[@]+"${vpc[@]}"} \
    "--set-env-vars=$(env_flag "${INGEST_ENV[@]}")" ${KAFKA_SECRET_FLAGS[@]+"${KAFKA_SECRET_FLAGS[@]}"}
  only_invoker ingest "$(sa "$SA_TRIGGER")"
}

# The Eventarc trigger of notify owns a Pub/Sub subscription; failed deliveries go to the dead-letter topic.
ensure_notify_dead_letter() {
  local trigger subscription policy
  query trigger "projects/$PROJECT/locations/$REGION/triggers/NOTIFY_TRIGGER_ID" gcloud functions describe notify \
    "--region=$REGION" "--project=$PROJECT" '--format=value(eventTrigger.trigger)'
  [[ -n $trigger ]] || die "function notify has no Eventarc trigger"
  query subscription "projects/$PROJECT/subscriptions/eventarc-$REGION-notify-SUBSCRIPTION_ID" \
    gcloud eventarc triggers describe "${trigger##*/}" "--location=$REGION" "--project=$PROJECT" \
    '--format=value(transport.pubsub.subscription)'
  [[ -n $subscription ]] || die "the Eventarc trigger $trigger has no Pub/Sub subscription"
  local dead_letter="projects/$PROJECT/topics/$ANOMALIES_DEAD_LETTER_TOPIC"
  query policy '' gcloud pubsub subscriptions describe "$subscription" "--project=$PROJECT" \
    '--format=value(deadLetterPolicy.deadLetterTopic,deadLetterPolicy.maxDeliveryAttempts)'
  if [[ $policy != "$dead_letter"$'\t'"$PUBSUB_MAX_DELIVERY_ATTEMPTS" ]]; then
    run gcloud pubsub subscriptions update "$subscription" "--dead-letter-topic=$dead_letter" \
      "--max-delivery-attempts=$PUBSUB_MAX_DELIVERY_ATTEMPTS" "--project=$PROJECT"
  fi
  grant subscription "$subscription" "serviceAccount:$PUBSUB_AGENT" roles/pubsub.subscriber
}

# ensure_image NAME : sets IMAGE to NAME's image of these sources, which Cloud Build builds from
# deploy/NAME.Dockerfile (deploy/NAME.cloudbuild.yaml) unless the repository has it already.
ensure_image() {
  IMAGE="$REGION-docker.pkg.dev/$PROJECT/$REPOSITORY/$1:${SOURCE_HASH:0:32}"
  if ! exists gcloud artifacts docker images describe "$IMAGE" "--project=$PROJECT"; then
    run_retry gcloud builds submit . "--project=$PROJECT" "--region=$REGION" "--config=deploy/$1.cloudbuild.yaml" \
      "--substitutions=_IMAGE=$IMAGE" "--service-account=projects/$PROJECT/serviceAccounts/$(sa_email "$SA_BUILDER")"
  fi
}

deploy_dispatcher() {
  ensure_image dispatcher
  local image=$IMAGE
  query V_DETECT_URL "https://detect-$PROJECT_NUMBER.$REGION.run.app" gcloud functions describe detect \
    "--region=$REGION" "--project=$PROJECT" '--format=value(serviceConfig.uri)'
  [[ -n $V_DETECT_URL ]] || die "function detect has no URL"

  local network=()
  if ((USE_VPC == 1)); then
    network=("--network=$NETWORK" "--subnet=$SUBNET" --vpc-egress=all-traffic)
  fi
  local cmd=("${WORKER_POOLS[@]}" deploy "$WORKER_POOL" "--region=$REGION" "--project=$PROJECT" "--image=$image"
    "--service-account=$(sa_email "$SA_DISPATCHER")" "--scaling=$DISPATCHER_INSTANCES" "--cpu=$DISPATCHER_CPU"
    "--memory=$DISPATCHER_MEMORY" ${network[@]+"${network[@]}"} "--set-env-vars=$(env_flag "${DISPATCHER_ENV[@]}")"
    ${KAFKA_SECRET_FLAGS[@]+"${KAFKA_SECRET_FLAGS[@]}"})
  local hash current
  hash=$(deploy_hash "${cmd[@]}")
  query current '' "${WORKER_POOLS[@]}" describe "$WORKER_POOL" "--region=$REGION" "--project=$PROJECT" \
    '--format=value(metadata.labels.deploy_hash)'
  if [[ $current == "$hash" ]]; then
    log "worker pool $WORKER_POOL is up to date"
    return 0
  fi
  run_retry "${cmd[@]}" "--labels=app=$APP,deploy_hash=$hash"
}

# The analysts' console (console/server.ts): a Cloud Run service that only the --console-group may invoke. It has
# to be reachable from the analysts' machines (ingress all; `gcloud run services proxy` or a browser with an
# identity token calls its run.app URL), and IAM checks every request: no allUsers, no unauthenticated access.
deploy_console() {
  ensure_image console
  # The audiences the console accepts in its callers' ID tokens (console/server/identity.ts): its own URL (the
  # deterministic one, which is what a token minted for the service names), and the gcloud CLI's OAuth client,
  # the audience of the account's own ID token that `gcloud run services proxy` sends.
  # shellcheck disable=SC2034 # read indirectly, by env_flag
  V_CONSOLE_AUDIENCES="https://$CONSOLE_SERVICE-$PROJECT_NUMBER.$REGION.run.app,32555940559.apps.googleusercontent.com"
  local network=()
  if ((USE_VPC == 1)); then
    # As for the dispatcher: Kafka is reachable only inside the VPC, Google's APIs through Private Google Access.
    network=("--network=$NETWORK" "--subnet=$SUBNET" --vpc-egress=all-traffic)
  fi
  local cmd=(gcloud run deploy "$CONSOLE_SERVICE" "--region=$REGION" "--project=$PROJECT" "--image=$IMAGE"
    "--service-account=$(sa_email "$SA_CONSOLE")" --no-allow-unauthenticated --ingress=all "--cpu=$CONSOLE_CPU"
    "--memory=$CONSOLE_MEMORY" "--max-instances=$CONSOLE_MAX_INSTANCES" ${network[@]+"${network[@]}"}
    # The server keeps its read model current between requests (listeners): CPU always, and one instance kept
    # warm, since a cold start reads every alert again before it can answer a list.
    --no-cpu-throttling --min-instances=1
    "--set-env-vars=$(env_flag "${CONSOLE_ENV[@]}")" ${KAFKA_SECRET_FLAGS[@]+"${KAFKA_SECRET_FLAGS[@]}"})
  local hash current
  hash=$(deploy_hash "${cmd[@]}")
  query current '' gcloud run services describe "$CONSOLE_SERVICE" "--region=$REGION" "--project=$PROJECT" \
    '--format=value(metadata.labels.deploy_hash)'
  if [[ $current == "$hash" ]]; then
    log "service $CONSOLE_SERVICE is up to date"
  else
    run_retry "${cmd[@]}" "--labels=app=$APP,deploy_hash=$hash"
  fi
  if [[ -n $CONSOLE_GROUP ]]; then
    only_invoker "$CONSOLE_SERVICE" "group:$CONSOLE_GROUP"
  else
    warn "no --console-group: nobody may open the console $CONSOLE_SERVICE (deploy again with --console-group=EMAIL)"
    only_invoker "$CONSOLE_SERVICE"
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Deploy.
# ---------------------------------------------------------------------------------------------------------------
ensure_apis() {
  local apis=(artifactregistry.googleapis.com cloudbuild.googleapis.com cloudfunctions.googleapis.com
    cloudresourcemanager.googleapis.com eventarc.googleapis.com firebaserules.googleapis.com firestore.googleapis.com
    iam.googleapis.com logging.googleapis.com pubsub.googleapis.com run.googleapis.com storage.googleapis.com)
  ((USE_VPC == 0)) || apis+=(compute.googleapis.com vpcaccess.googleapis.com)
  [[ $KAFKA_MODE != managed ]] || apis+=(managedkafka.googleapis.com dns.googleapis.com)
  # Secret Manager: the chat webhook's URL (and, with --kafka-sasl=plain, the Kafka password).
  apis+=(secretmanager.googleapis.com)
  local enabled missing=() api
  query enabled '' gcloud services list --enabled "--project=$PROJECT" '--format=value(config.name)'
  # A here-string, not `printf | grep -q`: grep leaves at the first match, and under pipefail the printf that
  # still had lines to write fails with SIGPIPE, which read as "not enabled".
  for api in "${apis[@]}"; do
    grep -Fxq "$api" <<<"$enabled" || missing+=("$api")
  done
  if ((${#missing[@]} > 0)); then
    run gcloud services enable "${missing[@]}" "--project=$PROJECT"
  fi
}

ensure_service_account() {
  local id=$1 description=$2
  exists gcloud iam service-accounts describe "$(sa_email "$id")" "--project=$PROJECT" ||
    run gcloud iam service-accounts create "$id" "--display-name=stock-anomalies $id" "--description=$description" \
      "--project=$PROJECT"
}

deploy() {
  log "deploying stock-anomalies to project $PROJECT, region $REGION (Kafka: $KAFKA_MODE, SASL $KAFKA_SASL)"
  compute_source_hash
  ensure_apis

  ensure_service_account "$SA_INGEST" 'Runs function ingest: reads uploads, writes quarantine, produces to Kafka'
  ensure_service_account "$SA_DETECT" 'Runs function detect: symbol state in Firestore, publishes anomalies'
  ensure_service_account "$SA_NOTIFY" 'Runs function notify: writes alerts to Firestore'
  ensure_service_account "$SA_ESCALATE" 'Runs function escalate: posts escalated episodes to the chat webhook'
  ensure_service_account "$SA_DISPATCHER" 'Runs the Kafka dispatcher worker pool: consumes Kafka, invokes detect'
  ensure_service_account "$SA_TRIGGER" 'Eventarc triggers of ingest, notify and escalate: invokes them'
  ensure_service_account "$SA_BUILDER" 'Cloud Build: builds the functions and the dispatcher and console images'
  ensure_service_account "$SA_CONSOLE" 'Runs the console service: Firestore (triage), set-aside rows, Kafka lag'

  # Service agents that need grants: Cloud Storage (publishes object events) and Pub/Sub (dead-lettering).
  local storage_agent
  query storage_agent "service-$PROJECT_NUMBER@gs-project-accounts.iam.gserviceaccount.com" \
    gcloud storage service-agent "--project=$PROJECT"
  PUBSUB_AGENT="service-$PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com"

  if ((USE_VPC == 1)); then
    exists gcloud compute networks describe "$NETWORK" "--project=$PROJECT" ||
      run gcloud compute networks create "$NETWORK" --subnet-mode=custom "--project=$PROJECT"
    exists gcloud compute networks subnets describe "$SUBNET" "--region=$REGION" "--project=$PROJECT" ||
      run gcloud compute networks subnets create "$SUBNET" "--network=$NETWORK" "--region=$REGION" \
        "--range=$SUBNET_RANGE" --enable-private-ip-google-access "--project=$PROJECT"
  fi

  exists gcloud artifacts repositories describe "$REPOSITORY" "--location=$REGION" "--project=$PROJECT" ||
    run gcloud artifacts repositories create "$REPOSITORY" --repository-format=docker "--location=$REGION" \
      '--description=stock-anomalies functions and dispatcher images' "--labels=app=$APP" "--project=$PROJECT"

  local bucket_info
  query bucket_info '' gcloud storage buckets describe "gs://$BUCKET" "--project=$PROJECT" \
    '--format=value(location,uniform_bucket_level_access)'
  if [[ -z $bucket_info ]]; then
    run gcloud storage buckets create "gs://$BUCKET" "--location=$REGION" --uniform-bucket-level-access \
      --public-access-prevention "--project=$PROJECT"
    TRIGGER_LOCATION=$REGION
  else
    TRIGGER_LOCATION=$(printf '%s' "${bucket_info%%$'\t'*}" | tr '[:upper:]' '[:lower:]')
    if [[ $(printf '%s' "${bucket_info#*$'\t'}" | tr '[:upper:]' '[:lower:]') != true ]]; then
      run gcloud storage buckets update "gs://$BUCKET" --uniform-bucket-level-access "--project=$PROJECT"
    fi
  fi

  ensure_firestore

  exists gcloud pubsub topics describe "$V_ANOMALIES_TOPIC" "--project=$PROJECT" ||
    run gcloud pubsub topics create "$V_ANOMALIES_TOPIC" "--labels=app=$APP" "--project=$PROJECT"
  # notify's dead letters: kept as long as Pub/Sub allows, on the subscription and on the topic (see the top).
  local described
  query described '' gcloud pubsub topics describe "$ANOMALIES_DEAD_LETTER_TOPIC" "--project=$PROJECT" \
    '--format=value(name,messageRetentionDuration)'
  if [[ -z $described ]]; then
    run gcloud pubsub topics create "$ANOMALIES_DEAD_LETTER_TOPIC" \
      "--message-retention-duration=$DEAD_LETTER_TOPIC_RETENTION" "--labels=app=$APP" "--project=$PROJECT"
  elif [[ ${described#*$'\t'} != "$DEAD_LETTER_TOPIC_RETENTION_SECONDS" ]]; then
    run gcloud pubsub topics update "$ANOMALIES_DEAD_LETTER_TOPIC" \
      "--message-retention-duration=$DEAD_LETTER_TOPIC_RETENTION" "--project=$PROJECT"
  fi
  query described '' gcloud pubsub subscriptions describe "$ANOMALIES_DEAD_LETTER_SUBSCRIPTION" "--project=$PROJECT" \
    '--format=value(name,messageRetentionDuration)'
  if [[ -z $described ]]; then
    run gcloud pubsub subscriptions create "$ANOMALIES_DEAD_LETTER_SUBSCRIPTION" "--topic=$ANOMALIES_DEAD_LETTER_TOPIC" \
      "--message-retention-duration=$DEAD_LETTER_SUBSCRIPTION_RETENTION" --expiration-period=never "--labels=app=$APP" \
      "--project=$PROJECT"
  elif [[ ${described#*$'\t'} != "$DEAD_LETTER_SUBSCRIPTION_RETENTION_SECONDS" ]]; then
    run gcloud pubsub subscriptions update "$ANOMALIES_DEAD_LETTER_SUBSCRIPTION" \
      "--message-retention-duration=$DEAD_LETTER_SUBSCRIPTION_RETENTION" "--project=$PROJECT"
  fi

  exists gcloud pubsub topics describe "$V_ESCALATIONS_TOPIC" "--project=$PROJECT" ||
    run gcloud pubsub topics create "$V_ESCALATIONS_TOPIC" "--labels=app=$APP" "--project=$PROJECT"
  ensure_chat_webhook_secret

  ensure_kafka

  if ((USE_VPC == 1)); then
    exists gcloud compute networks vpc-access connectors describe "$CONNECTOR" "--region=$REGION" "--project=$PROJECT" ||
      run gcloud compute networks vpc-access connectors create "$CONNECTOR" "--region=$REGION" "--network=$NETWORK" \
        "--range=$CONNECTOR_RANGE" "--machine-type=$CONNECTOR_MACHINE_TYPE" \
        "--min-instances=$CONNECTOR_MIN_INSTANCES" "--max-instances=$CONNECTOR_MAX_INSTANCES" "--project=$PROJECT"
  fi

  local kind resource member role title expression
  while IFS='|' read -r kind resource member role title expression <&4; do
    grant "$kind" "$resource" "$member" "$role" "$title" "$expression"
  done 4< <(base_grants "$storage_agent")
  # A deployment from before the audit database gave these identities datastore.user on every database.
  local id
  for id in "$SA_INGEST" "$SA_DETECT" "$SA_NOTIFY" "$SA_ESCALATE" "$SA_CONSOLE"; do
    drop_unconditioned_grant project "$PROJECT" "$(sa "$id")" roles/datastore.user
  done

  deploy_functions
  deploy_dispatcher
  deploy_console

  log "done. Upload CSV files to gs://$BUCKET/$V_UPLOAD_PREFIX; alerts appear in Firestore $V_ALERTS_COLLECTION/."
  log "the console: gcloud run services proxy $CONSOLE_SERVICE --region=$REGION --project=$PROJECT --port=8080, then http://localhost:8080"
}

# ---------------------------------------------------------------------------------------------------------------
# Teardown.
# ---------------------------------------------------------------------------------------------------------------
teardown() {
  if [[ $DRY_RUN == 0 && $ASSUME_YES == 0 ]]; then
    [[ -t 0 ]] || die "teardown needs --yes when not run from a terminal"
    local answer
    printf 'Delete the stock-anomalies deployment in project %s, region %s%s? Type the project ID: ' \
      "$PROJECT" "$REGION" "$( ((DELETE_DATA)) && printf ', INCLUDING the bucket and the Firestore database')" >&2
    read -r answer
    [[ $answer == "$PROJECT" ]] || die "not confirmed"
  fi
  log "tearing down stock-anomalies in project $PROJECT, region $REGION"

  if exists "${WORKER_POOLS[@]}" describe "$WORKER_POOL" "--region=$REGION" "--project=$PROJECT"; then
    run "${WORKER_POOLS[@]}" delete "$WORKER_POOL" "--region=$REGION" "--project=$PROJECT"
  fi
  if exists gcloud run services describe "$CONSOLE_SERVICE" "--region=$REGION" "--project=$PROJECT"; then
    run gcloud run services delete "$CONSOLE_SERVICE" "--region=$REGION" "--project=$PROJECT"
  fi
  local name
  for name in ingest notify escalate detect; do
    if exists gcloud functions describe "$name" "--region=$REGION" "--project=$PROJECT"; then
      run gcloud functions delete "$name" "--region=$REGION" "--project=$PROJECT"
    fi
  done
  if ((USE_VPC == 1)) &&
    exists gcloud compute networks vpc-access connectors describe "$CONNECTOR" "--region=$REGION" "--project=$PROJECT"; then
    run gcloud compute networks vpc-access connectors delete "$CONNECTOR" "--region=$REGION" "--project=$PROJECT"
  fi
  if [[ $KAFKA_MODE == managed ]] &&
    exists gcloud managed-kafka clusters describe "$KAFKA_CLUSTER" "--location=$REGION" "--project=$PROJECT"; then
    run gcloud managed-kafka clusters delete "$KAFKA_CLUSTER" "--location=$REGION" "--project=$PROJECT"
  fi
  if [[ $KAFKA_SASL == plain ]] && exists gcloud secrets describe "$KAFKA_PASSWORD_SECRET" "--project=$PROJECT"; then
    run gcloud secrets delete "$KAFKA_PASSWORD_SECRET" "--project=$PROJECT"
  fi
  if exists gcloud secrets describe "$CHAT_WEBHOOK_SECRET" "--project=$PROJECT"; then
    run gcloud secrets delete "$CHAT_WEBHOOK_SECRET" "--project=$PROJECT"
  fi
  if exists gcloud pubsub subscriptions describe "$ANOMALIES_DEAD_LETTER_SUBSCRIPTION" "--project=$PROJECT"; then
    run gcloud pubsub subscriptions delete "$ANOMALIES_DEAD_LETTER_SUBSCRIPTION" "--project=$PROJECT"
  fi
  local topic
  for topic in "$V_ANOMALIES_TOPIC" "$ANOMALIES_DEAD_LETTER_TOPIC" "$V_ESCALATIONS_TOPIC"; do
    if exists gcloud pubsub topics describe "$topic" "--project=$PROJECT"; then
      run gcloud pubsub topics delete "$topic" "--project=$PROJECT"
    fi
  done
  if exists gcloud artifacts repositories describe "$REPOSITORY" "--location=$REGION" "--project=$PROJECT"; then
    run gcloud artifacts repositories delete "$REPOSITORY" "--location=$REGION" "--project=$PROJECT"
  fi

  # Project-level grants of our service accounts (deleting an account leaves 'deleted:' members behind).
  # The Cloud Storage service agent keeps roles/pubsub.publisher: other buckets' notifications may need it.
  local kind resource member role title expression
  while IFS='|' read -r kind resource member role title expression <&4; do
    [[ $kind == project && $member == serviceAccount:*@$PROJECT.iam.gserviceaccount.com ]] || continue
    load_policy project "$PROJECT"
    if [[ $DRY_RUN == 1 ]] || grep -Fq "$role,$member," "$POLICY_FILE"; then
      run gcloud projects remove-iam-policy-binding "$PROJECT" "--member=$member" "--role=$role" --all
    fi
  done 4< <(PUBSUB_AGENT=none base_grants none)

  local id
  for id in "$SA_INGEST" "$SA_DETECT" "$SA_NOTIFY" "$SA_ESCALATE" "$SA_DISPATCHER" "$SA_TRIGGER" "$SA_BUILDER" "$SA_CONSOLE"; do
    if exists gcloud iam service-accounts describe "$(sa_email "$id")" "--project=$PROJECT"; then
      run gcloud iam service-accounts delete "$(sa_email "$id")" "--project=$PROJECT"
    fi
  done

  if ((USE_VPC == 1)) && [[ $NETWORK != "$DEFAULT_NETWORK" ]]; then
    log "keeping network $NETWORK (not created by deploy.sh)"
  elif ((USE_VPC == 1)); then
    # The Kafka cluster's and the connector's addresses are released a few minutes after their deletion.
    if exists gcloud compute networks subnets describe "$SUBNET" "--region=$REGION" "--project=$PROJECT"; then
      run_retry gcloud compute networks subnets delete "$SUBNET" "--region=$REGION" "--project=$PROJECT"
    fi
    if exists gcloud compute networks describe "$NETWORK" "--project=$PROJECT"; then
      run_retry gcloud compute networks delete "$NETWORK" "--project=$PROJECT"
    fi
  fi

  if ((DELETE_DATA)); then
    if exists gcloud storage buckets describe "gs://$BUCKET" "--project=$PROJECT"; then
      run gcloud storage rm "gs://$BUCKET" --recursive "--project=$PROJECT"
    fi
    if exists gcloud firestore databases describe "--database=$FIRESTORE_DATABASE" "--project=$PROJECT"; then
      run gcloud firestore databases delete "--database=$FIRESTORE_DATABASE" "--project=$PROJECT"
    fi
    if exists gcloud firestore databases describe "--database=$V_CONSOLE_AUDIT_DATABASE" "--project=$PROJECT"; then
      run gcloud firestore databases delete "--database=$V_CONSOLE_AUDIT_DATABASE" "--project=$PROJECT"
    fi
  else
    log "kept gs://$BUCKET and the Firestore databases, the audit trail's included (add --delete-data to delete them)"
  fi
  log "done. The enabled APIs stay enabled."
}

main() {
  cd "${BASH_SOURCE[0]%/*}" 2>/dev/null || true
  [[ -f firestore.rules && -f firestore.indexes.json ]] || die "run deploy.sh from the repository (firestore.rules not found)"
  parse_args "$@"
  if [[ $MODE == print-rules ]]; then
    render_rules
    return
  fi
  if [[ $MODE == print-audit-rules ]]; then
    render_rules firestore.audit.rules
    return
  fi
  command -v gcloud >/dev/null 2>&1 ||
    die "gcloud not found on PATH: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)"
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  preflight
  if [[ $MODE == teardown ]]; then
    teardown
  else
    deploy
  fi
}

main "$@"
