import nodemailer from 'nodemailer';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';

/** One e-mail ready to send. */
export interface EmailMessage {
  to: string | null;
  userId: string;
  subject: string;
  text: string;
  /** The outbox row's dedupe key: also the Message-ID seed, so a resent e-mail is recognisable. */
  key: string;
}

/** Where outbox e-mails go. Pluggable: logs by default, SMTP when SMTP_URL is set. */
export interface EmailSender {
  readonly name: string;
  send(message: EmailMessage): Promise<void>;
  close?(): Promise<void>;
}

/** Writes each e-mail to the log (development and tests). */
export class LogEmailSender implements EmailSender {
  readonly name = 'log';
  readonly sent: EmailMessage[] = [];
  constructor(private readonly logger: Logger) {}
  send(message: EmailMessage): Promise<void> {
    this.sent.push(message);
    if (this.sent.length > 1000) this.sent.shift();
    this.logger.info('email (log sender)', {
      to: message.to,
      user_id: message.userId,
      subject: message.subject,
      key: message.key,
    });
    return Promise.resolve();
  }
}

/** Sends through an SMTP server with nodemailer. A message without an address fails (and is retried, then left for an operator). */
export class SmtpEmailSender implements EmailSender {
  readonly name = 'smtp';
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;
  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(url);
  }
  async send(message: EmailMessage): Promise<void> {
    if (!message.to) throw new Error(`no e-mail address for user ${message.userId}`);
    await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      messageId: `<${message.key}@onsale>`,
    });
  }
  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}

export function createEmailSender(config: Pick<Config, 'SMTP_URL' | 'EMAIL_FROM'>, logger: Logger): EmailSender {
  return config.SMTP_URL ? new SmtpEmailSender(config.SMTP_URL, config.EMAIL_FROM) : new LogEmailSender(logger);
}
