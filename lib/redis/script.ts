import { createHash } from 'node:crypto';
import { timed, type RedisClient } from './connection';

// A Lua script run by its SHA1 (EVALSHA), sent whole only when the server does not know it yet (after a
// restart, or the first time): one round trip, and the script's body is not resent with every call. Each
// call fails after REDIS_COMMAND_TIMEOUT_MS without an answer (see `timed`).

export type RedisReply = string | number | null | RedisReply[];

export function redisScript(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<RedisReply> => {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return (await timed(client.sendCommand(['EVALSHA', sha, ...tail]))) as RedisReply;
    } catch (err) {
      if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
      return (await timed(client.sendCommand(['EVAL', source, ...tail]))) as RedisReply;
    }
  };
}
