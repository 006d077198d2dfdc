// Outgoing e-mail through one SMTP transport (nodemailer), configured by `smtpUrl`/`mailFrom`.
// Without an SMTP URL nothing is sent: callers log what they would have sent, so a server without
// mail still works (the operator hands reset tokens over from the log). Notification e-mail reuses it.
import type { Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  /** False when no SMTP server is configured: `send` then does nothing. */
  readonly configured: boolean;
  /** Where mail goes, password removed, for log lines. */
  readonly describe: string;
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  smtpUrl?: string;
  from?: string;
}

export const defaultMailFrom = 'Lynx <noreply@lynx.local>';

export function createMailTransport(opts: MailOptions): MailTransport {
  if (!opts.smtpUrl) {
    return { configured: false, describe: 'none (log only)', send: async () => {}, close: () => {} };
  }
  const smtpUrl = opts.smtpUrl;
  const from = opts.from || defaultMailFrom;
  // nodemailer (~40 modules) loads on the first mail rather than on every start.
  let transport: Promise<Transporter> | undefined;
  const open = () => (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl)));
  return {
    configured: true,
    describe: redactUrl(smtpUrl),
    async send(message) {
      await (await open()).sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => void transport?.then((t) => t.close(), () => {}),
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
