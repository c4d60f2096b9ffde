#!/usr/bin/env node
// A stand-in for `curl` that plays the Firebase Rules API for deploy.sh (test/unit/deploy/fakeGcloud.test.ts), keeping its
// rulesets and releases (one per database: cloud.firestore, cloud.firestore/DATABASE) in the same $FAKE_STATE file as
// deploy-gcloud.mjs. Supports exactly the options deploy.sh
// uses: -sS -X METHOD -H HEADER... -o FILE -w '%{http_code}' [--data-binary @FILE] URL.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import process from 'node:process';

const stateFile = process.env.FAKE_STATE;
const state = existsSync(stateFile)
  ? JSON.parse(readFileSync(stateFile, 'utf8'))
  : { resources: {}, policies: {}, apis: [], secrets: {} };
state.rules ??= { rulesets: {}, releases: {} };

const argv = process.argv.slice(2);
let method = 'GET';
let out = '/dev/stdout';
let body = '';
let url = '';
const headers = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '-X') method = argv[++i];
  else if (arg === '-H') headers.push(argv[++i]);
  else if (arg === '-o') out = argv[++i];
  else if (arg === '-w') i++;
  else if (arg === '--data-binary') body = readFileSync(argv[++i].replace(/^@/, ''), 'utf8');
  else if (arg.startsWith('https://')) url = arg;
}

function answer(status, json) {
  writeFileSync(out, JSON.stringify(json));
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  process.stdout.write(String(status));
  process.exit(0);
}

if (!headers.includes('Authorization: Bearer fake-token')) answer(401, { error: { message: 'no token' } });
const path = url.replace('https://firebaserules.googleapis.com/v1/', '');
const project = /^projects\/([^/]+)/.exec(path)?.[1];
/** A release of Firestore rules: the default database's (cloud.firestore) or a named one's (cloud.firestore/DB). */
const isRelease = (name) =>
  new RegExp(`^projects/${project}/releases/cloud\\.firestore(/[a-z0-9-]+)?$`).test(name);

if (method === 'GET' && isRelease(path)) {
  const release = state.rules.releases[path];
  if (release) answer(200, release);
  else answer(404, { error: { code: 404, status: 'NOT_FOUND' } });
} else if (method === 'GET' && /\/rulesets\//.test(path)) {
  const content = state.rules.rulesets[path];
  if (content === undefined) answer(404, { error: { code: 404 } });
  else answer(200, { name: path, source: { files: [{ name: 'firestore.rules', content }] } });
} else if (method === 'POST' && path === `projects/${project}/rulesets`) {
  const name = `projects/${project}/rulesets/r${Object.keys(state.rules.rulesets).length}`;
  state.rules.rulesets[name] = JSON.parse(body).source.files[0].content;
  answer(200, { name });
} else if (method === 'POST' && path === `projects/${project}/releases`) {
  const release = JSON.parse(body);
  if (!isRelease(release.name))
    answer(400, { error: { message: `fake curl: no such release ${release.name}` } });
  if (state.rules.releases[release.name]) answer(409, { error: { status: 'ALREADY_EXISTS' } });
  else answer(200, (state.rules.releases[release.name] = release));
} else if (method === 'PATCH' && isRelease(path)) {
  if (!state.rules.releases[path]) answer(404, { error: { code: 404 } });
  else answer(200, (state.rules.releases[path] = JSON.parse(body).release));
} else {
  answer(400, { error: { message: `fake curl: unsupported ${method} ${url}` } });
}
