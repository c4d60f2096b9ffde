/** Each component's deploy command, and the environment it sets. */
import type { Component } from '../../../shared/config/variables.js';
import { flagValue, leadingWords, type Command } from './script.js';

export type { Component };

/** The deploy command of each component. */
export function componentCommands(commands: Command[]): Map<Component, Command> {
  const found = new Map<Component, Command>();
  for (const command of commands) {
    if (command.kind !== '+') continue;
    const lead = leadingWords(command.words).join(' ');
    const fn = /^gcloud functions deploy (ingest|detect|notify|escalate)$/.exec(lead);
    if (fn) found.set(fn[1] as Component, command);
    if (/^gcloud (beta |alpha )?run worker-pools deploy /.test(lead)) found.set('dispatcher', command);
    if (lead === 'gcloud run deploy stock-anomalies-console') found.set('console', command);
  }
  return found;
}

/** The environment a deploy command sets: --set-env-vars (with gcloud's ^DELIM^ escaping) and --set-secrets. */
export function environmentOf(command: Command): { env: Map<string, string>; secrets: Map<string, string> } {
  const parse = (text: string | undefined) => {
    const map = new Map<string, string>();
    if (text === undefined) return map;
    let delimiter = ',';
    const escape = /^\^([^^]+)\^/.exec(text);
    if (escape) {
      delimiter = escape[1]!;
      text = text.slice(escape[0].length);
    }
    for (const pair of text.split(delimiter)) {
      const eq = pair.indexOf('=');
      map.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return map;
  };
  return {
    env: parse(flagValue(command.words, 'set-env-vars')),
    secrets: parse(flagValue(command.words, 'set-secrets')),
  };
}
