// Email settings from the environment: off by default, every problem reported at once, passwords never echoed.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config.ts';
import { emailConfigFromEnv, emailInboundEnabled, emailOutboundEnabled } from './config.ts';

describe('emailConfigFromEnv', () => {
  it('is off without settings', () => {
    const c = emailConfigFromEnv({});
    expect(c).toMatchObject({ listen: null, smtpUrl: null, imap: null, fromName: null, fromAddress: null });
    expect(emailInboundEnabled(c) || emailOutboundEnabled(c)).toBe(false);
  });

  it('reads the listener, the relay, the sender and the IMAP mailbox', () => {
    const c = emailConfigFromEnv({
      TWELVE_SMTP_LISTEN_PORT: '2525',
      TWELVE_SMTP_URL: 'smtp://twelve:s3cret@mail.example:587',
      TWELVE_MAIL_FROM: 'Northwind Support <Help@Northwind.Example>',
      TWELVE_IMAP_URL: 'imaps://support%40northwind.example:p%40ss@imap.example/Support%20Inbox',
      TWELVE_IMAP_AGENT: 'northwind-support',
      TWELVE_IMAP_POLL_SECONDS: '30',
    });
    expect(c).toMatchObject({
      listen: { host: '127.0.0.1', port: 2525 },
      smtpUrl: 'smtp://twelve:s3cret@mail.example:587',
      fromName: 'Northwind Support',
      fromAddress: 'help@northwind.example',
      imap: {
        host: 'imap.example',
        port: 993,
        secure: true,
        user: 'support@northwind.example',
        pass: 'p@ss',
        mailbox: 'Support Inbox',
        agent: 'northwind-support',
        pollSeconds: 30,
      },
      maxMessageBytes: 10 * 1024 * 1024,
    });
    expect(emailConfigFromEnv({ TWELVE_MAIL_FROM: 'Help Desk' })).toMatchObject({
      fromName: 'Help Desk',
      fromAddress: null,
    });
    expect(
      emailConfigFromEnv({ TWELVE_IMAP_URL: 'imap://u:p@localhost', TWELVE_IMAP_AGENT: 'a' }).imap,
    ).toMatchObject({
      port: 143,
      secure: false,
      mailbox: 'INBOX',
      pollSeconds: 60,
    });
  });

  it('reports every problem at once without echoing secrets', () => {
    let error: unknown;
    try {
      emailConfigFromEnv({
        TWELVE_SMTP_LISTEN_PORT: '99999',
        TWELVE_SMTP_URL: 'http://user:topsecret@mail.example',
        TWELVE_IMAP_URL: 'imaps://user:topsecret@imap.example',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(
      /TWELVE_SMTP_LISTEN_PORT[\s\S]*TWELVE_SMTP_URL[\s\S]*TWELVE_IMAP_AGENT/,
    );
    expect(problems.join('\n')).not.toMatch(/topsecret/);
  });
});
