// The errors of the engine's services, by kind, as moby's errdefs classify them. A service says what
// went wrong (the kind) and how docker words it (the message); the Engine API decides the HTTP status
// from the kind in one table (api/errors.ts), so no service knows about HTTP.

export type ErrorKind =
  | 'invalid-parameter'
  | 'not-found'
  | 'conflict'
  | 'not-modified'
  | 'unauthorized'
  | 'forbidden'
  | 'not-implemented'
  | 'unavailable'
  | 'system';

export class EngineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const invalidParameter = (message: string): EngineError => new EngineError('invalid-parameter', message);
export const notFound = (message: string): EngineError => new EngineError('not-found', message);
export const conflict = (message: string): EngineError => new EngineError('conflict', message);
/** Nothing to do (docker start of a running container): no body at all. */
export const notModified = (): EngineError => new EngineError('not-modified', '');
export const unauthorized = (message: string): EngineError => new EngineError('unauthorized', message);
export const forbidden = (message: string): EngineError => new EngineError('forbidden', message);
/** Something docker does that Dockside cannot do yet. */
export const notImplemented = (message: string): EngineError => new EngineError('not-implemented', message);
/** A plain error of moby (errors.New, fmt.Errorf): the API answers it as an internal error. */
export const systemError = (message: string): EngineError => new EngineError('system', message);

export function isErrorKind(error: unknown, kind: ErrorKind): boolean {
  return error instanceof EngineError && error.kind === kind;
}

/** The message of anything thrown, as Go's err.Error(). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
