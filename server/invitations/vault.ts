import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { keyBytes, type AppConfig } from '../config.js';
import { sha256 } from '../shared/ids.js';
import { openText, sealText } from '../shared/sealing.js';

const PURPOSE = 'invitation-token';

/** The key file's text, made with a new random key (mode 0600) when there is none yet. */
function keyFileText(path: string): string {
  try {
    mkdirSync(dirname(path), { recursive: true });
    // 'wx': two processes starting at once make one key, the later one reads it
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (statSync(path).mode & 0o077)
    throw new Error(`邀请链接密钥文件 ${path} 的权限过宽：应只允许服务器的用户读写（chmod 600）`);
  return readFileSync(path, 'utf8');
}

/**
 * Named campaigns' plain tokens sealed under the invitation key (INVITATION_KEY, else the key
 * file): AES-256-GCM, with a key derived for this purpose. No key configured (PostgreSQL without
 * either setting): `available` is false and links are not held. The key is read on first use.
 */
export function linkVault(config: Pick<AppConfig, 'invitationKey' | 'invitationKeyFile'>) {
  let key: string | undefined;
  const secret = () => {
    if (key === undefined) {
      const text = config.invitationKey ?? keyFileText(config.invitationKeyFile!);
      const bytes = keyBytes(text);
      if (!bytes) throw new Error(`邀请链接密钥（${config.invitationKeyFile ?? 'INVITATION_KEY'}）应为 32 字节`);
      key = bytes.toString('hex');
    }
    return key;
  };
  return {
    available: config.invitationKey !== undefined || config.invitationKeyFile !== undefined,
    seal: (token: string) => sealText(secret(), PURPOSE, token),
    /** The token sealed for the invitation whose hash is `tokenHash`, or undefined (another key, altered, another row's). */
    open(sealed: string, tokenHash: string): string | undefined {
      const token = openText(secret(), PURPOSE, sealed);
      return token !== undefined && sha256(token) === tokenHash ? token : undefined;
    },
  };
}

export type LinkVault = ReturnType<typeof linkVault>;
