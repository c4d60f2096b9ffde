/** The IAM grants deploy.sh prints, by member and resource. */
import { BUCKET, flagValue, PROJECT, type Command } from './script.js';

export interface Grant {
  member: string;
  /** e.g. 'project roles/datastore.user' or 'bucket roles/storage.objectUser if quarantine-prefix-only' */
  grant: string;
  condition?: string;
}

/** 'serviceAccount:anomalies-ingest@p.iam.gserviceaccount.com' -> 'ingest'; service agents by their service. */
export function memberName(member: string): string {
  const account = /^serviceAccount:anomalies-([a-z]+)@my-project-123\.iam\.gserviceaccount\.com$/.exec(
    member,
  );
  if (account) return account[1]!;
  if (/^serviceAccount:service-[A-Z0-9_]+@gs-project-accounts\.iam\.gserviceaccount\.com$/.test(member)) {
    return 'storage-agent';
  }
  if (/^serviceAccount:service-[A-Z0-9_]+@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/.test(member))
    return 'pubsub-agent';
  return member;
}

function resourceName(kind: string, name: string): string {
  switch (kind) {
    case 'projects':
      return name === PROJECT ? 'project' : `project:${name}`;
    case 'storage buckets':
      return name === `gs://${BUCKET}` ? 'bucket' : `bucket:${name}`;
    case 'pubsub topics':
      return `topic:${name}`;
    case 'pubsub subscriptions':
      return /\/eventarc-us-central1-notify-/.test(name)
        ? 'subscription:notify-trigger'
        : `subscription:${name}`;
    case 'run services':
    case 'functions':
      return `service:${name}`;
    case 'artifacts repositories':
      return name === 'stock-anomalies' ? 'repository' : `repository:${name}`;
    case 'secrets':
      return `secret:${name}`;
    default:
      return `${kind}:${name}`;
  }
}

export function grantsOf(commands: Command[]): Grant[] {
  const grants: Grant[] = [];
  for (const command of commands) {
    const words = command.words;
    const verb = words.findIndex((w) => w === 'add-iam-policy-binding' || w === 'add-invoker-policy-binding');
    if (command.kind !== '+' || verb < 0) continue;
    const kind = words.slice(1, verb).join(' ');
    const role =
      words[verb] === 'add-invoker-policy-binding' ? 'roles/run.invoker' : flagValue(words, 'role');
    const condition = flagValue(words, 'condition');
    const title = condition && condition !== 'None' ? /(?:^|,)title=([^,]+)/.exec(condition)?.[1] : undefined;
    grants.push({
      member: memberName(flagValue(words, 'member') ?? '?'),
      grant: `${resourceName(kind, words[verb + 1] ?? '?')} ${role}${title ? ` if ${title}` : ''}`,
      condition: condition && condition !== 'None' ? condition : undefined,
    });
  }
  return grants;
}

export function grantTable(commands: Command[]): Record<string, string[]> {
  const table: Record<string, string[]> = {};
  for (const { member, grant } of grantsOf(commands)) (table[member] ??= []).push(grant);
  for (const grants of Object.values(table)) grants.sort();
  return table;
}
