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
