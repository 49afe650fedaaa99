import { refusal } from '@stille-lijn/shared/errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for methods that change nothing, which need no Origin check. */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Cross-site request forgery guard for state-changing calls: an `Origin` header, when
 * present, must be the helpline's public origin or the request's own origin. Requests
 * without one (curl, server-to-server) pass; browsers always send it on POST.
 */
export function isAllowedOrigin(
  origin: string | undefined,
  publicOrigin: string,
  ownOrigin: string,
): boolean {
  if (origin === undefined) return true;
  return origin === publicOrigin || origin === ownOrigin;
}

/** Throws `forbidden` unless `isAllowedOrigin`. */
export function assertAllowedOrigin(
  origin: string | undefined,
  publicOrigin: string,
  ownOrigin: string,
): void {
  if (!isAllowedOrigin(origin, publicOrigin, ownOrigin)) throw refusal('foreign_origin');
}
