// The guest's network card is v86's virtio-net on its "fetch" backend: a userspace TCP/IP stack in
// JavaScript (router 192.168.86.1, guest 192.168.86.100, all inside the emulator). Dockside uses it to
// open TCP connections from the page into the guest (previews of published ports).
//
// v86 bug worked around here: TCPConnection.process() handles a segment that carries FIN but never
// delivers that segment's payload, so a response whose last bytes ride on the FIN (Linux does this
// whenever data is still queued at close) loses its tail. We split such a segment into a data segment
// and a bare FIN before v86 sees it.

export const GUEST_NETWORK = { guestIp: '192.168.86.100', routerIp: '192.168.86.1' } as const;

interface TcpPacket {
  tcp: { fin: boolean; seq: number };
  tcp_data?: Uint8Array;
}

interface V86TcpConnection {
  state: string;
  on(event: 'connect' | 'data' | 'close' | 'shutdown', handler: (data?: Uint8Array) => void): void;
  write(data: Uint8Array): void;
  close(): void;
  process(packet: TcpPacket): void;
}

export interface V86NetworkAdapter {
  tcp_conn: Record<string, V86TcpConnection>;
  connect(port: number): V86TcpConnection;
}

const patched = new WeakSet<object>();
/** How many FIN segments with a payload were split (tests check the workaround was exercised). */
export const finSplitCount = { value: 0 };

function patchTcpConnection(prototype: V86TcpConnection): void {
  if (patched.has(prototype)) return;
  patched.add(prototype);
  const original = prototype.process;
  prototype.process = function (this: V86TcpConnection, packet: TcpPacket) {
    const data = packet.tcp_data;
    if (!packet.tcp.fin || !data || data.length === 0) return original.call(this, packet);
    finSplitCount.value++;
    original.call(this, { ...packet, tcp: { ...packet.tcp, fin: false } });
    original.call(this, { ...packet, tcp: { ...packet.tcp, seq: (packet.tcp.seq + data.length) >>> 0 }, tcp_data: new Uint8Array(0) });
  };
}

/** Patches the adapter's connection class as soon as its first connection exists. */
export function installFinWorkaround(adapter: V86NetworkAdapter): void {
  const connections = adapter.tcp_conn;
  adapter.tcp_conn = new Proxy(connections, {
    set(target, key, connection: V86TcpConnection) {
      patchTcpConnection(Object.getPrototypeOf(connection) as V86TcpConnection);
      return Reflect.set(target, key, connection);
    },
  });
  for (const connection of Object.values(connections)) patchTcpConnection(Object.getPrototypeOf(connection) as V86TcpConnection);
}

/** A TCP connection from the host into the guest. */
export interface GuestTcpConnection {
  write(data: Uint8Array): void;
  /** Half-closes our side (sends FIN once queued data is acknowledged). */
  close(): void;
  /** Resolves with every byte the guest sent once it closed its side or reset. */
  readonly response: Promise<Uint8Array>;
}

export function connectToGuest(adapter: V86NetworkAdapter, port: number, onData?: (chunk: Uint8Array) => void): Promise<GuestTcpConnection> {
  return new Promise((resolve, reject) => {
    const connection = adapter.connect(port);
    const chunks: Uint8Array[] = [];
    let finish!: (bytes: Uint8Array) => void;
    const response = new Promise<Uint8Array>((done) => (finish = done));
    const end = () => {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        out.set(chunk, at);
        at += chunk.length;
      }
      finish(out);
    };
    connection.on('data', (data) => {
      if (!data) return;
      const copy = data.slice();
      chunks.push(copy);
      onData?.(copy);
    });
    connection.on('shutdown', () => {
      end();
      connection.close();
    });
    connection.on('close', () => {
      end();
      reject(new Error(`connection to guest port ${port} refused or reset`));
    });
    connection.on('connect', () =>
      resolve({ write: (data) => connection.write(data), close: () => connection.close(), response }),
    );
  });
}

/**
 * The world outside the emulator is offline, and its name servers must say so at once. v86's fetch
 * adapter answers every DNS query itself, but from its router address rather than the server that was
 * asked, so resolvers drop the reply and wait out their timeouts (apt-get update: minutes of "Ign:").
 * Here a query to any server gets that server's SERVFAIL right away: getaddrinfo's "Temporary failure in
 * name resolution", what an offline docker host gives. Returns the reply frame, or undefined when the
 * frame is not a DNS query over UDP/IPv4.
 */
export function offlineDnsReply(frame: Uint8Array): Uint8Array | undefined {
  if (frame.length < 14 + 20 + 8 + 12) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint16(12) !== 0x0800) return undefined;
  const ip = 14;
  const ihl = (frame[ip] & 0x0f) * 4;
  if (frame[ip] >> 4 !== 4 || ihl < 20 || frame[ip + 9] !== 17) return undefined;
  if ((view.getUint16(ip + 6) & 0x3fff) !== 0) return undefined; // a fragment
  const udp = ip + ihl;
  if (frame.length < udp + 8 + 12 || view.getUint16(udp + 2) !== 53) return undefined;
  const dns = udp + 8;
  const end = Math.min(frame.length, udp + view.getUint16(udp + 4), ip + view.getUint16(ip + 2));
  if (end < dns + 12 || (frame[dns + 2] & 0x80) !== 0) return undefined; // not a query
  // The questions, copied as they came (names, type, class); other sections are not answered.
  const questions = view.getUint16(dns + 4);
  let at = dns + 12;
  for (let q = 0; q < questions; q++) {
    while (at < end && frame[at] !== 0) {
      if ((frame[at] & 0xc0) !== 0) return undefined; // a pointer has no place in a query's question
      at += frame[at] + 1;
    }
    at += 1 + 4;
    if (at > end) return undefined;
  }
  const dnsLength = at - dns;
  const reply = new Uint8Array(14 + 20 + 8 + dnsLength);
  const out = new DataView(reply.buffer);
  reply.set(frame.subarray(6, 12), 0); // to the sender's MAC
  reply.set(frame.subarray(0, 6), 6); // from the MAC it sent to (the router)
  out.setUint16(12, 0x0800);
  const rip = 14;
  reply[rip] = 0x45;
  out.setUint16(rip + 2, 20 + 8 + dnsLength);
  out.setUint16(rip + 4, view.getUint16(ip + 4));
  reply[rip + 8] = 64;
  reply[rip + 9] = 17;
  reply.set(frame.subarray(ip + 16, ip + 20), rip + 12); // from the server that was asked
  reply.set(frame.subarray(ip + 12, ip + 16), rip + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += out.getUint16(rip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  out.setUint16(rip + 10, ~sum & 0xffff);
  const rudp = rip + 20;
  out.setUint16(rudp, 53);
  out.setUint16(rudp + 2, view.getUint16(udp));
  out.setUint16(rudp + 4, 8 + dnsLength);
  // UDP checksum 0: none, which IPv4 allows
  const rdns = rudp + 8;
  reply.set(frame.subarray(dns, at), rdns);
  const opcode = frame[dns + 2] & 0x78;
  const recursionDesired = frame[dns + 2] & 0x01;
  reply[rdns + 2] = 0x80 | opcode | recursionDesired; // a response, the query's opcode and RD
  reply[rdns + 3] = 0x80 | 2; // recursion available, SERVFAIL
  out.setUint16(rdns + 6, 0);
  out.setUint16(rdns + 8, 0);
  out.setUint16(rdns + 10, 0);
  return reply;
}

interface V86FrameAdapter {
  send(frame: Uint8Array): void;
  receive(frame: Uint8Array): void;
}

/** Answers the guest's DNS queries to the outside world as offlineDnsReply says; other frames go on to v86. */
export function installOfflineDns(adapter: V86FrameAdapter): void {
  const send = adapter.send.bind(adapter);
  adapter.send = (frame: Uint8Array) => {
    const reply = offlineDnsReply(frame);
    if (reply) adapter.receive(reply);
    else send(frame);
  };
}
