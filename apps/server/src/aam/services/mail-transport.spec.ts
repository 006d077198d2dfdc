// The server's SMTP transport against a real local SMTP server: nodemailer is only loaded on the
// first mail, so a transport that never sends must still close cleanly.
import { describe, expect, it } from 'vitest';
import { startSmtpReceiver } from './smtp-test-fixture.js';
import { createMailTransport } from './mail-transport.js';

describe('mail transport', () => {
  it('sends through the configured SMTP URL, and closes whether or not it sent', async () => {
    const smtp = await startSmtpReceiver();
    const mails = smtp.mails;
    try {
      const url = `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`;
      const unused = createMailTransport({ smtpUrl: url });
      expect(unused.configured).toBe(true);
      unused.close();

      const mail = createMailTransport({ smtpUrl: url, from: 'lynx@example.com' });
      await mail.send({ to: 'ops@example.com', subject: 'Reset', text: 'your token' });
      mail.close();
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ from: 'lynx@example.com', to: ['ops@example.com'] });
      expect(mails[0].data).toMatch(/^Subject: Reset$/m);
      expect(mails[0].data).toContain('your token');
    } finally {
      await smtp.close();
    }
  });

  it('sends nothing and needs nothing without an SMTP URL', async () => {
    const mail = createMailTransport({});
    expect(mail).toMatchObject({ configured: false, describe: 'none (log only)' });
    await mail.send({ to: 'a@example.com', subject: 's', text: 't' });
    mail.close();
  });
});
