// Sending one e-mail: through the SMTP relay of SMTP_URL (nodemailer), or, in demo mode without one, to the log.
import nodemailer from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { MailConfig } from '../config';
import type { MailContent } from './messages';

export interface OutgoingMail extends MailContent {
  to: string[];
}

/** sent: the relay accepted it (its Message-ID); logged: no relay is configured and the mail was written to the log. */
export type MailResult = { kind: 'sent'; messageId: string | null } | { kind: 'logged' };

export interface Mailer {
  /** Resolves once the relay accepted the mail; rejects when it could not be reached or refused it. */
  send(mail: OutgoingMail): Promise<MailResult>;
  close(): void;
}

export function createMailer(config: MailConfig, log: FastifyBaseLogger): Mailer {
  if (!config.smtpUrl) {
    return {
      async send(mail) {
        // Demo mode only (production refuses to start without SMTP_URL): the mail is shown where a developer looks.
        log.info(
          { mail: { from: config.from, to: mail.to, subject: mail.subject, text: mail.text } },
          'mail not sent: SMTP_URL is not set',
        );
        return { kind: 'logged' };
      },
      close() {},
    };
  }
  const timeout = config.timeoutSeconds * 1000;
  // One connection per mail: registrations come one at a time, and no idle connection is left to time out.
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // The relay's hostname is checked against its certificate (smtps://, or STARTTLS when it offers it).
    tls: { rejectUnauthorized: true },
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: config.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        headers: { 'Content-Language': mail.languages.join(', ') },
      });
      return { kind: 'sent', messageId: info.messageId ?? null };
    },
    close() {
      transport.close();
    },
  };
}
