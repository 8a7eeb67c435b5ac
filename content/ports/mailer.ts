/** Sends plain-text e-mail (nodemailer over `SMTP_URL`, built in start/); absent when SMTP is not configured. */
export interface Mailer {
  /** Throws when the SMTP server refused the message. */
  send(to: string[], subject: string, text: string): Promise<void>;
}
