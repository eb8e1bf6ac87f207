import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** An unguessable token: 24 random bytes (192 bits), URL-safe. */
export const newToken = (): string => randomBytes(24).toString('base64url');

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
