// The connection behind an app's `ev.mqtt` client: a small MQTT 3.1.1 publisher (connect with
// user name and password, QoS 0 publishes, keep-alive pings, disconnect), which is all the apps
// that use it need (EA-share-data publishes into another installation with an API key). Run on
// the main thread for the same reason as http: the app's worker is blocked while Lua waits.
import { lookup } from 'node:dns/promises';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { forbiddenAddressReason } from '../../outbound/address-policy.js';

export interface PublisherOptions {
  host: string;
  port: number;
  tls: boolean;
  clientId: string;
  username?: string;
  password?: string;
  keepaliveSeconds: number;
  timeoutMs: number;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

const packet = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), varint(body.length), body]);

const connackErrors: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'client id rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

export class MqttPublisher {
  private closed = false;
  private pinger: NodeJS.Timeout | undefined;

  private constructor(private readonly socket: Socket) {}

  static async connect(o: PublisherOptions): Promise<MqttPublisher> {
    if (!o.host || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new Error(`ev.mqtt: invalid broker address ${o.host}:${o.port}`);
    // Resolved once here and connected to by address, so the link-local check holds.
    const address = isIP(o.host) ? o.host : (await lookup(o.host)).address;
    const forbidden = forbiddenAddressReason(address);
    if (forbidden) throw new Error(`ev.mqtt: ${address}: requests to ${forbidden} are not allowed`);
    const socket = o.tls ? tlsConnect({ host: address, port: o.port, servername: isIP(o.host) ? undefined : o.host }) : netConnect({ host: address, port: o.port });
    const client = new MqttPublisher(socket);
    await client.handshake(o);
    return client;
  }

  private handshake(o: PublisherOptions): Promise<void> {
    const flags = 0x02 | (o.username !== undefined ? 0x80 : 0) | (o.password !== undefined ? 0x40 : 0);
    const keepalive = Buffer.alloc(2);
    keepalive.writeUInt16BE(o.keepaliveSeconds);
    const body = Buffer.concat([
      str('MQTT'),
      Buffer.from([4, flags]),
      keepalive,
      str(o.clientId),
      ...(o.username !== undefined ? [str(o.username)] : []),
      ...(o.password !== undefined ? [str(o.password)] : []),
    ]);
    return new Promise((resolve, reject) => {
      let buffered = Buffer.alloc(0);
      let answered = false;
      const fail = (err: Error) => {
        clearTimeout(timer);
        this.close();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`ev.mqtt: no CONNACK from ${o.host}:${o.port} within ${o.timeoutMs} ms`)), o.timeoutMs);
      this.socket.once('error', (err) => fail(new Error(`ev.mqtt: ${err.message}`)));
      this.socket.on('close', () => {
        this.closed = true;
        clearInterval(this.pinger);
      });
      this.socket.on('data', (chunk: Buffer) => {
        if (answered) return;
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 4) return;
        answered = true;
        const [type, , , code] = buffered;
        clearTimeout(timer);
        if (type !== 0x20) return fail(new Error('ev.mqtt: the broker did not answer CONNACK'));
        if (code !== 0) return fail(new Error(`ev.mqtt: connection refused: ${connackErrors[code!] ?? `code ${code}`}`));
        // Later packets (PINGRESP) need no handling; errors after the handshake only close it.
        this.socket.on('error', () => this.close());
        if (o.keepaliveSeconds > 0) {
          this.pinger = setInterval(() => this.write(Buffer.from([0xc0, 0])), (o.keepaliveSeconds * 1000) / 2);
          this.pinger.unref();
        }
        resolve();
      });
      this.write(packet(0x10, body));
    });
  }

  get connected(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  publish(topic: string, payload: string, retain: boolean): void {
    if (!this.connected) throw new Error('ev.mqtt: not connected');
    if (!topic || /[#+\0]/.test(topic)) throw new Error(`ev.mqtt: invalid topic ${JSON.stringify(topic)}`);
    this.write(packet(0x30 | (retain ? 1 : 0), Buffer.concat([str(topic), Buffer.from(payload, 'utf8')])));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pinger);
    if (!this.socket.destroyed) this.socket.end(Buffer.from([0xe0, 0]));
    this.socket.destroySoon?.();
  }

  private write(data: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }
}
