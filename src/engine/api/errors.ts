// The one table from the engine's error kinds to HTTP status codes (moby's httpstatus.FromError), and
// errors as docker's JSON bodies.

import { EngineError, errorMessage, type ErrorKind } from '../errors';
import { ApiError, type ApiResponse } from './types';

const STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  'invalid-parameter': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  system: 500,
  'not-implemented': 501,
  unavailable: 503,
};

/** The status an error is answered with: its kind's, an ApiError's own, else 500 as moby's default. */
export function statusOf(error: unknown): number {
  if (error instanceof EngineError) return STATUS_OF_KIND[error.kind];
  if (error instanceof ApiError) return error.status;
  return 500;
}

const encoder = new TextEncoder();

export function errorResponse(error: unknown): ApiResponse {
  const status = statusOf(error);
  if (status === 304) return { status: 304, headers: {} };
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: encoder.encode(`${JSON.stringify({ message: errorMessage(error) })}\n`),
  };
}
