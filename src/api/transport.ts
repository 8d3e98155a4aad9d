// The Engine API in HTTP terms but without sockets: the engine answers ApiRequests with ApiResponses;
// transports (the in-page client, the HTTP server in Node, the guest's /var/run/docker.sock) carry them.

export type HeaderMap = Record<string, string>;

export interface ApiRequest {
  method: string;
  /** The path as sent, with or without the /v1.NN prefix, without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: HeaderMap;
  /** The whole body (for JSON bodies and small uploads). */
  body(): Promise<Uint8Array>;
  /** The body as it arrives (tar uploads: load, import, build, cp). */
  bodyStream(): AsyncIterable<Uint8Array>;
}

/** The byte stream of an upgraded (hijacked) connection: attach and exec start. */
export interface RawConnection {
  /** What the client sends (stdin); ends when the client half-closes. */
  input: AsyncIterable<Uint8Array>;
  write(chunk: Uint8Array): Promise<void>;
  /** Ends what the engine sends. */
  close(): void;
}

export interface ApiResponse {
  status: number;
  headers: HeaderMap;
  /** A whole body, or a stream (newline-delimited JSON of pull, logs -f, events, wait). */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Set for 101 UPGRADED answers: the engine takes over the connection. */
  upgrade?: (connection: RawConnection) => Promise<void>;
}
