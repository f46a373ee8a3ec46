// A real SMTP server for tests (the `smtp-server` package) that keeps what it receives, read back
// with `mailparser`: the envelope as the server saw it, the parsed message and its raw text. A
// test can make it refuse the next messages with a reply code (451: later, 550: never).
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received {
  /** MAIL FROM and RCPT TO: who the message really went to, whatever its headers say. */
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
  raw: string;
}

export class SmtpCatcher {
  readonly received: Received[] = [];
  /** Reply codes for the next messages' DATA, in order (a message refused is not kept). */
  readonly refuseNext: number[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly server: SMTPServer, readonly port: number) {}

  static async start(): Promise<SmtpCatcher> {
    let catcher: SmtpCatcher | undefined;
    const server = new SMTPServer({
      authOptional: true,
      // Plain SMTP on loopback: STARTTLS would need a certificate the client trusts.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // close() waits this long for clients to leave before it cuts them (30 s by default): a
      // hub's pooled transport may still be connected when a test file's hooks close this first.
      closeTimeout: 200,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const code = catcher!.refuseNext.shift();
          if (code !== undefined) return callback(Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code }));
          const raw = Buffer.concat(chunks).toString('utf8');
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          };
          simpleParser(raw).then((mail) => {
            catcher!.received.push({ envelope, mail, raw });
            for (const w of catcher!.waiters.splice(0)) w();
            callback();
          }, (e: Error) => callback(e));
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.server.address();
    if (!address || typeof address === 'string') throw new Error('smtp catcher: no port');
    catcher = new SmtpCatcher(server, address.port);
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves once `n` messages in all were received. */
  async waitFor(n: number, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`smtp catcher: ${this.received.length} of ${n} messages after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.received;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
