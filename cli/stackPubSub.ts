/**
 * The Pub/Sub emulator of the stack as the commands that look at notify's dead letters see it (`wait`,
 * `reports`, `redrive`): apart from stackClients.ts so that the other commands do not load the Pub/Sub client.
 */
import { PubSub } from '@google-cloud/pubsub';
import { stackEndpoints } from '../stack/endpoints.js';
import type { StackClients } from './stackClients.js';

export interface StackPubSub {
  pubsub: PubSub;
  /** Where detect publishes alerts, and redrive sends notify's dead letters back. */
  anomaliesTopic: string;
  /** notify's dead letters. */
  deadLetterSubscription: string;
}

export function stackPubSub(stack: StackClients): StackPubSub {
  const { project, pubsub: names } = stackEndpoints(stack.env);
  return {
    pubsub: new PubSub({ projectId: project, apiEndpoint: names.emulatorHost, emulatorMode: true }),
    anomaliesTopic: names.anomaliesTopic,
    deadLetterSubscription: names.anomaliesDeadLetterSubscription,
  };
}
