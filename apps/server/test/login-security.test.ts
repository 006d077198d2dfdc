// Login security over the real REST API and broker (spec 2.1, 3.2): TOTP enrolment and the
// two-step login, recovery codes, an organization forcing two-factor, forced password change,
// password reset through a real SMTP exchange, and lockout after repeated failures (429, trace, log).
import { createHmac } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connackCode, connectMqtt, eventually } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// An independent TOTP (RFC 6238: HMAC-SHA-1, 30 s, 6 digits), so the test does not trust the server's.
function totp(secretBase32: string, unixSeconds = Date.now() / 1000): string {
  const bits = [...secretBase32.replace(/=+$/, '')].map((c) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A few lines of SMTP: enough for nodemailer to hand over a message, which is kept here. */
interface SmtpCatcher {
  port: number;
  messages: string[];
  auth: string[];
  close(): Promise<void>;
}

async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const messages: string[] = [];
  const auth: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let buffer = '';
    let data: string[] | null = null;
    socket.write('220 catcher ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === '.') {
            messages.push(data.join('\n'));
            data = null;
            socket.write('250 2.0.0 queued\r\n');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') socket.write('250-catcher\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n');
        else if (verb === 'AUTH') {
          auth.push(line);
          socket.write('235 2.7.0 accepted\r\n');
        } else if (verb === 'DATA') {
          data = [];
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    messages,
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let smtp: SmtpCatcher;
let server: ServerProcess;
let anon: LynxHttp;
let admin: LynxHttp;
let orgId: number;

const basic = (email: string, password: string) => ({ Authorization: LynxHttp.basic(email, password) });
const login = (email: string, password: string) => anon.post('/api/v2/auth', undefined, basic(email, password));

async function createUser(email: string, password: string, organization = orgId): Promise<number> {
  return expectOk(await admin.post<{ id: number }>('/api/v2/user', { email, password, organisations: [organization] })).id;
}

/** The step after the current one: accepted (one step of drift) and later than any code used this step. */
const nextCode = (secret: string) => totp(secret, Date.now() / 1000 + 30);

beforeAll(async () => {
  smtp = await startSmtpCatcher();
  server = await startServerProcess({ env: { LYNX_SMTP_URL: `smtp://mailer:mail-secret@127.0.0.1:${smtp.port}`, LYNX_MAIL_FROM: 'Lynx <lynx@example.com>' } });
  anon = new LynxHttp(server.httpUrl);
  ({ client: admin } = await anon.login(server.adminEmail, server.adminPassword));
  orgId = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Security' })).id;
});

afterAll(async () => {
  await server?.stop();
  if (server) await removeDataDir(server.dataDir);
  await smtp?.close();
});

describe('TOTP two-factor login', () => {
  let secret: string;
  let recovery: string[];

  it('enrols the caller and confirms with a first code', async () => {
    await createUser('ann@example.com', 'ann-password');
    const { client } = await anon.login('ann@example.com', 'ann-password');
    expect(expectOk(await client.get('/api/v2/user/me/security/totp'))).toEqual({ enabled: false, recovery_codes_left: 0 });
    const enrolment = expectOk(await client.post('/api/v2/user/me/security/totp'));
    secret = enrolment.secret;
    recovery = enrolment.recovery_codes;
    expect(enrolment.otpauth_uri).toBe(`otpauth://totp/Lynx:ann@example.com?secret=${secret}&issuer=Lynx&algorithm=SHA1&digits=6&period=30`);
    expect(recovery).toHaveLength(10);
    expect((await client.put('/api/v2/user/me/security/totp', { code: 'abc' })).status).toBe(400);
    expect(expectOk(await client.put('/api/v2/user/me/security/totp', { code: totp(secret) }))).toMatchObject({ enabled: true, recovery_codes_left: 10 });
    expect(expectOk(await client.get('/api/v2/user/me')).sms_login).toBe(true);
  });

  it('answers a pending token that works only for PUT /auth, then the full token', async () => {
    const first = await login('ann@example.com', 'ann-password');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ token: expect.stringMatching(/^[0-9a-f]{32}$/), nextstep: 'smslogin', next_step: 'smslogin' });
    const pending = first.body.token as string;
    const me = await anon.withKey(pending).get('/api/v2/user/me');
    expect(me.status).toBe(401);
    expect(me.body.message).toMatch(/PUT \/api\/v2\/auth/);
    expect((await anon.get('/api/v2/installation', { Authorization: `Bearer ${pending}` })).status).toBe(401);
    expect((await anon.post('/trpc/auth.totpEnroll', {}, { 'X-API-Key': pending, 'Content-Type': 'application/json' })).status).toBe(401);
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: 'apikey', password: pending }));
    // Basic e-mail:password cannot skip the second factor.
    expect((await anon.get('/api/v2/user/me', basic('ann@example.com', 'ann-password'))).status).toBe(401);

    const wrong = await anon.put('/api/v2/auth', { challenge: '000000' === nextCode(secret) ? '111111' : '000000' }, { 'X-API-Key': pending });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toMatch(/wrong challenge/);
    const done = await anon.put('/api/v2/auth', { challenge: nextCode(secret) }, { 'X-API-Key': pending });
    expect(done.status).toBe(200);
    expect(Object.keys(done.body)).toEqual(['token']);
    const full = anon.withKey(done.body.token);
    expect(expectOk(await full.get('/api/v2/user/me')).email).toBe('ann@example.com');
    const mqtt = await connectMqtt(server.mqttUrl, { username: 'apikey', password: done.body.token });
    mqtt.end(true);
    // The pending token is used up.
    expect((await anon.put('/api/v2/auth', { challenge: nextCode(secret) }, { 'X-API-Key': pending })).status).toBe(401);
  });

  it('takes a recovery code once', async () => {
    const first = expectOk(await login('ann@example.com', 'ann-password'));
    const done = await anon.put('/api/v2/auth', { challenge: recovery[0] }, { Authorization: LynxHttp.basic('token', first.token) });
    expect(done.status).toBe(200);
    expect((await anon.withKey(done.body.token).get('/api/v2/user/me')).status).toBe(200);
    expect(expectOk(await anon.withKey(done.body.token).get('/api/v2/user/me/security/totp'))).toEqual({ enabled: true, recovery_codes_left: 9 });
    const again = expectOk(await login('ann@example.com', 'ann-password'));
    expect((await anon.put('/api/v2/auth', { challenge: recovery[0] }, { 'X-API-Key': again.token })).status).toBe(401);
    expect((await anon.put('/api/v2/auth', { challenge: recovery[1] }, { 'X-API-Key': again.token })).status).toBe(200);
  });

  it('lets an administrator of the user reset it', async () => {
    const annId = expectOk(await admin.get<{ id: number; email: string }[]>('/api/v2/user')).find((u) => u.email === 'ann@example.com')!.id;
    expect(expectOk(await admin.delete(`/api/v2/user/${annId}/security/totp`)).message).toMatch(/reset/);
    const plain = expectOk(await login('ann@example.com', 'ann-password'));
    expect(plain.nextstep).toBeUndefined();
    expect(expectOk(await anon.withKey(plain.token).get('/api/v2/user/me')).sms_login).toBe(false);
  });

  it('makes members of a force_sms_login organization enrol with the pending token', async () => {
    const forced = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Forced', force_sms_login: true }));
    expect(expectOk(await admin.get(`/api/v2/organization/${forced.id}`)).force_sms_login).toBe(true);
    await createUser('bob@example.com', 'bob-password', forced.id);
    const first = expectOk(await login('bob@example.com', 'bob-password'));
    expect(first).toMatchObject({ nextstep: 'smslogin', next_step: 'smslogin', two_factor_enrolment_required: true });
    const pending = anon.withKey(first.token);
    expect((await pending.get('/api/v2/user/me')).status).toBe(401);
    expect((await anon.put('/api/v2/auth', { challenge: '123456' }, { 'X-API-Key': first.token })).status).toBe(403);
    const enrolment = expectOk(await pending.post('/api/v2/user/me/security/totp'));
    expectOk(await pending.put('/api/v2/user/me/security/totp', { code: totp(enrolment.secret) }));
    // Enrolled: the pending token is back to serving PUT /auth only.
    expect((await pending.get('/api/v2/user/me/security/totp')).status).toBe(401);
    const done = await anon.put('/api/v2/auth', { challenge: nextCode(enrolment.secret) }, { 'X-API-Key': first.token });
    expect(done.status).toBe(200);
    const bob = anon.withKey(done.body.token);
    expect(expectOk(await bob.get('/api/v2/user/me')).email).toBe('bob@example.com');
    const refused = await bob.request('DELETE', '/api/v2/user/me/security/totp', { password: 'bob-password' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/force_sms_login/);
  });
});

describe('forced password change', () => {
  it('limits the login to reading yourself and changing the password until it is changed', async () => {
    const org = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Must change' }));
    await createUser('cy@example.com', 'cy-password', org.id);
    expectOk(await admin.post(`/api/v2/organization/${org.id}/force_password_reset`));
    const answer = expectOk(await login('cy@example.com', 'cy-password'));
    expect(answer).toEqual({ token: expect.any(String), password_change_required: true });
    const cy = anon.withKey(answer.token);
    expect(expectOk(await cy.get('/api/v2/user/me')).email).toBe('cy@example.com');
    const blocked = await cy.get('/api/v2/installation');
    expect(blocked).toMatchObject({ status: 403, body: { message: 'password change required: PUT /api/v2/user/me/password' } });
    expect((await cy.put('/api/v2/user/me', { first_name: 'Cy' })).status).toBe(403);
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: 'apikey', password: answer.token }));
    expect((await anon.get('/trpc/permissions', { 'X-API-Key': answer.token })).status).toBe(401);
    expect((await anon.get('/trpc/me', { 'X-API-Key': answer.token })).status).toBe(200);
    expectOk(await cy.put('/api/v2/user/me/password', { current_password: 'cy-password', new_password: 'cy-new-password' }));
    // The same token is a full login now.
    expect((await cy.get('/api/v2/installation')).status).toBe(200);
    expect(expectOk(await login('cy@example.com', 'cy-new-password')).password_change_required).toBeUndefined();
    // Logging out works for such a token too.
    expectOk(await admin.post(`/api/v2/organization/${org.id}/force_password_reset`));
    const again = anon.withKey(expectOk(await login('cy@example.com', 'cy-new-password')).token);
    expectOk(await again.delete('/api/v2/auth'));
    expect((await again.get('/api/v2/user/me')).status).toBe(401);
  });
});

describe('password reset by token', () => {
  it('mails a one-use token through SMTP that sets a new password and nothing else', async () => {
    await createUser('dee@example.com', 'dee-password');
    const session = await anon.login('dee@example.com', 'dee-password');
    const unknown = await anon.post('/api/v2/auth/reset_password', { email: 'nobody@example.com' });
    const known = await anon.post('/api/v2/auth/reset_password', { email: 'dee@example.com' });
    expect(unknown.status).toBe(200);
    expect(known).toMatchObject({ status: 200, body: unknown.body });
    const mail = await eventually(async () => smtp.messages.find((m) => /^To: dee@example\.com$/im.test(m)));
    expect(smtp.messages.filter((m) => /nobody@example\.com/.test(m))).toHaveLength(0);
    expect(mail).toMatch(/^From: Lynx <lynx@example\.com>$/im);
    expect(smtp.auth[0]).toBe(`AUTH PLAIN ${Buffer.from('\0mailer\0mail-secret').toString('base64')}`);
    const token = /Reset token: ([0-9a-f]{32})/.exec(mail)![1];
    // Also in the server log for the operator, with the address.
    await eventually(async () => server.stdout.some((l) => l.includes('"level":40') && l.includes('password reset token for dee@example.com') && l.includes(token)));

    expect((await anon.withKey(token).get('/api/v2/user/me')).status).toBe(401);
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: 'apikey', password: token }));
    expect((await anon.put('/api/v2/auth/reset_password', { password: 'short' }, { 'X-API-Key': token })).status).toBe(400);
    expect(expectOk(await anon.put('/api/v2/auth/reset_password', { password: 'dee-new-password' }, { 'X-API-Key': token }))).toEqual({ message: 'password changed' });
    expect((await anon.put('/api/v2/auth/reset_password', { password: 'dee-other-password' }, { 'X-API-Key': token })).status).toBe(401);
    expect((await session.client.get('/api/v2/user/me')).status).toBe(401);
    expect((await login('dee@example.com', 'dee-password')).status).toBe(401);
    expect(expectOk(await login('dee@example.com', 'dee-new-password')).token).toBeTruthy();
  });
});

describe('lockout', () => {
  it('answers 429 after repeated wrong passwords, even to the right one, and records it', async () => {
    const id = await createUser('eve@example.com', 'eve-password');
    for (let i = 0; i < 10; i++) expect((await login('eve@example.com', `wrong-${i}`)).status).toBe(401);
    const locked = await login('eve@example.com', 'eve-password');
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/^too many failed attempts for this account: try again in \d+ s \(after .*Z\)$/);
    expect((await anon.get('/api/v2/user/me', basic('eve@example.com', 'eve-password'))).status).toBe(429);
    await eventually(async () => server.stdout.some((l) => l.includes('"level":40') && l.includes('login locked for account eve@example.com after 10 failures')));
    const trace = expectOk(await admin.get(`/api/v2/trace?action=failed&object_type=user&object_id=${id}`));
    const descriptions = trace.data.map((e: { description: string }) => e.description);
    expect(descriptions.filter((d: string) => d.startsWith('login of "eve@example.com" failed'))).toHaveLength(10);
    expect(descriptions.some((d: string) => d.startsWith('login locked for account eve@example.com until'))).toBe(true);
    expect(trace.data.every((e: { user_id: number; action: string }) => e.user_id === id && e.action === 'failed')).toBe(true);
    // Successful logins are traced as auth.
    const auth = expectOk(await admin.get('/api/v2/trace?action=auth&object_type=user'));
    expect(auth.data.some((e: { description: string }) => e.description === 'login of dee@example.com with password')).toBe(true);
  });
});
