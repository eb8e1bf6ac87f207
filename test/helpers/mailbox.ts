import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** An in-process SMTP server keeping each mail by Message-ID; `onData` may misbehave per attempt. */
export async function mailbox(misbehave: (attempt: number) => 'accept' | 'drop' | 'refuse' = () => 'accept') {
  const received: { messageId: string; raw: string }[] = [];
  let attempt = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        attempt++;
        const mode = misbehave(attempt);
        // the connection dies after DATA, before the server's 250: the sender never hears back
        if (mode === 'drop')
          return (
            (session as unknown as { socket?: { destroy(): void } }).socket?.destroy?.() ?? callback(new Error('drop'))
          );
        if (mode === 'refuse') return callback(Object.assign(new Error('mailbox busy'), { responseCode: 451 }));
        received.push({ messageId: /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? '', raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
