import { createHash, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
