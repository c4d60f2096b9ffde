/**
 * The caller's identity on Cloud Run: only a token signed by one of "Google's" keys (here a key of the test's
 * own, identity.ts verifies against its certificates as it would against Google's), for the console's audience,
 * from Google's issuer, not expired and naming a verified email, read from the header Cloud Run checked; or that
 * token as Cloud Run passes it on, its signature replaced by SIGNATURE_REMOVED_BY_GOOGLE, its claims checked alike.
 */
import { describe, expect, it } from 'vitest';
import { callerIdentity } from '../../../../console/server/identity.js';
import { asCloudRunPasses, TEST_AUDIENCE, tokenMint, unsignedToken } from '../../../helpers/idTokens.js';

const mint = tokenMint();
const identify = callerIdentity({ platformIdentity: true, audiences: [TEST_AUDIENCE] }, mint.certs);
const bearer = (token: string) => `Bearer ${token}`;
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

describe('callerIdentity on Cloud Run', () => {
  it('names the email of a good token, from X-Serverless-Authorization or, without it, Authorization', async () => {
    expect(await identify({ 'x-serverless-authorization': bearer(mint.sign()) })).toEqual({
      ok: true,
      email: 'ana@example.com',
    });
    expect(await identify({ authorization: bearer(mint.sign({ email: 'bo@example.com' })) })).toEqual({
      ok: true,
      email: 'bo@example.com',
    });
  });

  it('reads the header Cloud Run checked: with both, X-Serverless-Authorization, whatever Authorization says', async () => {
    const good = mint.sign({ email: 'bo@example.com' });
    expect(
      await identify({
        'x-serverless-authorization': bearer(good),
        authorization: bearer(unsignedToken('eve@example.com')),
      }),
    ).toEqual({ ok: true, email: 'bo@example.com' });
    // Authorization passed through unchecked by Cloud Run is never believed, even when it would verify.
    expect(
      await identify({
        'x-serverless-authorization': bearer(unsignedToken('eve@example.com')),
        authorization: bearer(good),
      }),
    ).toMatchObject({ ok: false });
  });

  it.each<[string, () => string | undefined, string]>([
    ['a forged, unsigned token', () => unsignedToken('forged@example.com'), 'No pem found'],
    [
      'a token signed by another key under the same key id',
      () => tokenMint().sign(),
      'Invalid token signature',
    ],
    [
      'a token for another audience',
      () => mint.sign({ aud: 'https://other-123.a.run.app' }),
      'Wrong recipient',
    ],
    [
      'a token from another issuer',
      () => mint.sign({ iss: 'https://securetoken.google.com/p' }),
      'Invalid issuer',
    ],
    [
      'a token expired an hour ago',
      () => mint.sign({ iat: now() - 2 * HOUR, exp: now() - HOUR }),
      'Token used too late',
    ],
    ['a token whose email is not verified', () => mint.sign({ email_verified: false }), 'no verified email'],
    ['a token with no email', () => mint.sign({ email: undefined }), 'no verified email'],
    ['no token but a Basic credential', () => undefined, 'no bearer token'],
  ])('refuses %s, naming why without quoting it', async (_, token, why) => {
    const made = token();
    const headers =
      made === undefined ? { authorization: 'Basic YW5hOnB3' } : { authorization: bearer(made) };
    const caller = await identify(headers);
    expect(caller).toMatchObject({ ok: false, reason: expect.stringContaining(why) });
    if (!caller.ok && made !== undefined) {
      for (const part of made.split('.').filter((piece) => piece.length > 20)) {
        expect(caller.reason).not.toContain(part);
      }
    }
  });

  it('refuses a request with no token at all', async () => {
    expect(await identify({})).toEqual({ ok: false, reason: 'no bearer token' });
  });

  it('takes a token for any of the audiences configured', async () => {
    const two = callerIdentity(
      { platformIdentity: true, audiences: [TEST_AUDIENCE, '32555940559.apps.googleusercontent.com'] },
      mint.certs,
    );
    expect(
      await two({ authorization: bearer(mint.sign({ aud: '32555940559.apps.googleusercontent.com' })) }),
    ).toEqual({ ok: true, email: 'ana@example.com' });
  });
});

describe('callerIdentity on Cloud Run: the token whose signature Cloud Run checked and removed', () => {
  it('names the email when its claims hold, from the header Cloud Run checked', async () => {
    expect(await identify({ authorization: bearer(asCloudRunPasses(mint.sign())) })).toEqual({
      ok: true,
      email: 'ana@example.com',
    });
    // With both headers, Authorization is the caller's own, passed through: even in the removed form, not read.
    expect(
      await identify({
        'x-serverless-authorization': bearer(asCloudRunPasses(mint.sign({ email: 'bo@example.com' }))),
        authorization: bearer(asCloudRunPasses(unsignedToken('eve@example.com'))),
      }),
    ).toEqual({ ok: true, email: 'bo@example.com' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['another audience', { aud: 'https://other-123.a.run.app' }, 'Wrong recipient'],
    ['another issuer', { iss: 'https://securetoken.google.com/p' }, 'Invalid issuer'],
    ['an expired token', { iat: now() - 2 * HOUR, exp: now() - HOUR }, 'Token used too late'],
    ['a token issued in the future', { iat: now() + HOUR, exp: now() + 2 * HOUR }, 'Token used too early'],
    ['a lifetime over a day', { exp: now() + 25 * HOUR }, 'Expiration time too far in future'],
    ['an email not verified', { email_verified: false }, 'no verified email'],
  ])('refuses it with %s', async (_, claims, why) => {
    expect(await identify({ authorization: bearer(asCloudRunPasses(mint.sign(claims))) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining(why),
    });
  });

  it('refuses any other signature in its place: verified as a signed token, and it is not one', async () => {
    const [head, body] = mint.sign().split('.');
    expect(await identify({ authorization: bearer(`${head}.${body}.SIGNATURE_REMOVED`) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Invalid token signature'),
    });
  });
});

describe('callerIdentity locally', () => {
  it('is the configured user, whatever the headers say', async () => {
    const local = callerIdentity({ platformIdentity: false, localUser: 'dev' }, mint.certs);
    expect(
      await local({
        authorization: bearer(mint.sign({ email: 'ana@example.com' })),
        'x-goog-authenticated-user-email': 'accounts.google.com:eve@x.com',
      }),
    ).toEqual({ ok: true, email: 'dev' });
  });
});
