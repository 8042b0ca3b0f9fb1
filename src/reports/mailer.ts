// The report mailer over nodemailer's SMTP transport (SMTP_URL): one connection per check, bounded in time.
import nodemailer from 'nodemailer';
import { type ReportEmail, ReportEmailRefusedError, type ReportMailer } from './email';

/** Each SMTP step's time limit, so a server that stops answering cannot hold the job. */
const SMTP_TIMEOUT_MS = 30_000;

export interface ClosableReportMailer extends ReportMailer {
  close(): void;
}

export function createSmtpMailer(smtpUrl: string): ClosableReportMailer {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    // A local test server or relay without TLS: ?tls=off; otherwise STARTTLS is used when the server offers it.
    ignoreTLS: url.searchParams.get('tls') === 'off',
  });
  return {
    async send(email: ReportEmail): Promise<string> {
      try {
        const info = await transport.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          messageId: email.messageId,
          attachments: email.attachments,
        });
        return info.messageId;
      } catch (error) {
        // 5xx: the server refused this recipient or message for good; 4xx and network failures are worth a retry.
        const code = (error as { responseCode?: number }).responseCode;
        if (typeof code === 'number' && code >= 500 && code < 600) {
          throw new ReportEmailRefusedError(`The SMTP server refused the report (${code}): ${(error as Error).message.slice(0, 300)}`);
        }
        throw error;
      }
    },
    close: () => transport.close(),
  };
}
